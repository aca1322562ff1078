"""Sub-accounts, phone and fax numbers, and the carrier's call records."""
