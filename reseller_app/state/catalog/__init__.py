"""State of the catalog domain (see services/catalog)."""
