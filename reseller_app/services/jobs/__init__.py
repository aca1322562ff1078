"""Scheduled jobs inside the app."""
