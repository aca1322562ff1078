"""State of the clients domain (see services/clients)."""
