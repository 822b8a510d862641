"""Analytics as Ibis expression builders: they take tables and `as_of`, and never execute."""
