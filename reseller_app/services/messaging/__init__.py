"""Text messages (SMS/MMS): sending, receiving, billing, the clients inbox and the resellers reports."""
