"""Pages of the callflows domain (see services/callflows)."""
