"""The signed-in reseller login's own two-factor sign-in (owner or staff): set up, confirm, recovery codes, turn off."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access import two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in


class TwoFactorState(ResellerPage, rx.State):
    """On, off, or being set up (the QR code and secret shown until confirmed); the recovery codes shown once."""

    on: bool = False
    qr: str = ""
    secret: str = ""
    codes: list[str] = []
    errors: dict[str, str] = {}

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Whether this login asks for a code."""
        self.on = two_factor.enabled(two_factor.login_key(actor))
        self.qr, self.secret, self.codes, self.errors = "", "", [], {}
        return None

    @rx.event
    @signed_in
    async def begin(self, actor: Actor) -> Answer:
        """Show a new secret as a QR code to scan."""
        self.errors = {}
        try:
            started = two_factor.begin(actor)
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            return None
        self.qr, self.secret = started["qr"], started["secret"]
        return None

    @rx.event
    @signed_in
    async def confirm(self, actor: Actor, form: dict) -> Answer:
        """Confirm with a code from the app; show the recovery codes once."""
        self.errors = {}
        try:
            self.codes = two_factor.confirm(actor, str(form.get("code", ""))[:40])
        except ServiceError as e:
            self.errors = field_errors(e, "code")
            return None
        self.on, self.qr, self.secret = True, "", ""
        return None

    @rx.event
    @signed_in
    async def disable(self, actor: Actor, form: dict) -> Answer:
        """Turn it off with the password and a code."""
        self.errors = {}
        try:
            two_factor.disable(actor, str(form.get("password", ""))[:200], str(form.get("code", ""))[:40])
        except ServiceError as e:
            self.errors = field_errors(e, "disable")
            return None
        self.on, self.codes = False, []
        return None
