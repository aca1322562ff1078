"""Pages of the settings domain (see services/settings)."""
