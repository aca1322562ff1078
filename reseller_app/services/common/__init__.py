"""Plumbing every service shares: errors, the audit log, per-request lookups, display formats."""
