"""Pages of the api domain (see services/api)."""
