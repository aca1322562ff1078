"""State of the access domain (see services/access)."""
