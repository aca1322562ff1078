"""The "Forgot your password?" and "Choose a new password" pages of a reseller's portal (no session needed)."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import i18n
from reseller_app.services.access import password_reset, security
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.settings import branding as portal
from reseller_app.state.i18n import I18nState, tab_language
from reseller_app.state.messages import error_text
from reseller_app.state.session import page_rid

# The one password rule, shown beside the field before any error.
PASSWORD_RULE = security.PASSWORD_RULE


class ResetState(rx.State):
    """The "Forgot your password?" and "Choose a new password" pages of a reseller's portal."""

    brand: dict[str, str] = portal.default_branding()
    available: bool = True
    sent: str = ""
    error: str = ""
    errors: dict[str, str] = {}
    link_ok: bool = False
    done: bool = False

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", ""))[:200]

    async def _load_brand(self) -> int | None:
        rid = page_rid(self)
        brand = portal.public_branding(rid) if rid is not None else None
        (await self.get_state(I18nState)).settle(brand)
        self.brand = brand or portal.default_branding()
        self.available = brand is not None and password_reset.reset_allowed(rid)
        self.sent, self.error, self.errors, self.done = "", "", {}, False
        return rid if self.available else None

    @rx.event
    async def load_forgot(self) -> None:
        """Open the forgot-password page in the reseller's brand."""
        await self._load_brand()

    @rx.event
    async def load_reset(self) -> None:
        """Open the reset page: say at once when the link is no longer valid."""
        rid = await self._load_brand()
        self.link_ok = rid is not None and password_reset.token_valid(rid, self._token())

    @rx.event
    async def request(self, form: dict) -> None:
        """Send the reset link (the same answer whether or not the address has an account)."""
        rid = page_rid(self)
        self.error, self.sent = "", ""
        if rid is None:
            return
        try:
            with i18n.use_language(await tab_language(self)):
                self.sent = await asyncio.to_thread(
                    password_reset.request_reset, rid, str(form.get("email", "")), self.router.session.client_ip
                )
        except ServiceError as e:
            self.error = error_text(e)

    @rx.event
    async def change_password(self, form: dict) -> None:
        """Set the new password with the emailed link."""
        rid = page_rid(self)
        self.errors = {}
        if rid is None:
            return
        try:
            with i18n.use_language(await tab_language(self)):
                await asyncio.to_thread(
                    password_reset.complete_reset,
                    rid,
                    self._token(),
                    str(form.get("password", "")),
                    str(form.get("confirm", "")),
                )
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            if "token" in e.errors:
                self.link_ok = False
            return
        except ServiceError as e:
            self.errors = {"token": str(e)}
            self.link_ok = False
            return
        self.done = True
