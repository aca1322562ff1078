"""Reflex states: sessions and form values only. Every handler goes through the services layer."""
