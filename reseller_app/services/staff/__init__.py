"""Staff and roles, two-factor sign-in and the audit log page (issue 22)."""
