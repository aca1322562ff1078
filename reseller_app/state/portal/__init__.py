"""State of the portal domain (see services/portal)."""
