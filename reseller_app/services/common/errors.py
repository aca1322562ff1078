"""Errors the services raise; the UI and the API turn them into messages or status codes."""

from __future__ import annotations

from reseller_app.i18n import _


class ServiceError(Exception):
    """Base class for refusals a user may see."""


class Forbidden(ServiceError):
    """The caller may not do this, or the object is not theirs (never says which)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message if message is not None else _("Not allowed."))


class NotFound(ServiceError):
    """No such object for this caller."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message if message is not None else _("Not found."))


class ValidationFailed(ServiceError):
    """Bad input: a message per field, nothing changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AuthFailed(ServiceError):
    """A login was refused."""
