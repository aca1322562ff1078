"""Staff and the audit log page (issue 22)."""
