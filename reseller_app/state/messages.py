"""How a service's refusal reaches the page: its messages by field, or one text for a callout."""

from __future__ import annotations

from reseller_app.services.common.errors import ServiceError, ValidationFailed


def field_errors(err: ServiceError, default: str = "form") -> dict[str, str]:
    """A ValidationFailed's messages by field; any other refusal's text under `default`."""
    if isinstance(err, ValidationFailed):
        return dict(err.errors)
    return {default: str(err)}


def error_text(err: ServiceError, sep: str = " ") -> str:
    """The whole refusal as one text: its field messages joined by `sep` ("\\n" for one line per CSV error)."""
    return sep.join(field_errors(err).values())
