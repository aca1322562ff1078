"""State of the reporting domain (see services/reporting)."""
