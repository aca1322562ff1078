"""Pages of the portal domain (see services/portal)."""
