"""The VoIP.ms-compatible REST API: access settings and the methods."""
