"""Reports: the board pack, account briefs and the product-gaps list."""
