"""Email: templates, an outbox written in the business transaction, and an SMTP sender with retries."""

from .outbox import enqueue
from .sender import SmtpSettings, deliver_pending, run_forever
from .templates import render

__all__ = ["SmtpSettings", "deliver_pending", "enqueue", "render", "run_forever"]
