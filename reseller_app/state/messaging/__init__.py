"""State of the Messages pages (SMS/MMS)."""
