"""The Messages pages (SMS/MMS)."""
