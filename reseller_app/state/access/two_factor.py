"""A login's own two-factor sign-in panel (set up, confirm, recovery codes once, turn off), shared by the reseller's
Staff page (owner and staff) and the client portal's Security page: each page state mixes it in with its realm
(ResellerPage or ClientPage), and services/access/two_factor.py does the work for either login."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access import two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, signed_in


class TwoFactorPanel(rx.State, mixin=True):
    """On, off, or being set up (the QR code and secret shown until confirmed); the recovery codes shown once."""

    on: bool = False
    qr: str = ""
    secret: str = ""
    codes: list[str] = []
    errors: dict[str, str] = {}

    def _show(self, on: bool) -> None:
        self.on = on
        self.qr, self.secret, self.codes, self.errors = "", "", [], {}

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
