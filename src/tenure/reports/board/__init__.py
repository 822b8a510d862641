"""The board pack: one document of sections, each a chart, a table and a written interpretation."""
