"""Pages of the reporting domain (see services/reporting)."""
