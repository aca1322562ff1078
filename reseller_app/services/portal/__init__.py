"""The client's own portal: its account, balance, services and numbers."""
