"""Use cases. Each one checks who is asking and that every id it is given belongs to them."""
