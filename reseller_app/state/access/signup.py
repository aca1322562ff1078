"""The public client signup form of one reseller's portal."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import i18n
from reseller_app.services.access import signup
from reseller_app.services.access.security import PASSWORD_RULE

__all__ = ["PASSWORD_RULE", "SignupState"]
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.settings import branding as portal
from reseller_app.state.i18n import I18nState, tab_language
from reseller_app.state.session import page_rid


class SignupState(rx.State):
    """The fields this portal asks for, the brand, and the outcome."""

    brand: dict[str, str] = portal.default_branding()
    fields: list[dict[str, str]] = []
    available: bool = True
    errors: dict[str, str] = {}
    done: str = ""

    @rx.event
    async def load(self) -> None:
        """Open the form with the reseller's published brand and chosen fields."""
        rid = page_rid(self)
        brand = portal.public_branding(rid) if rid is not None else None
        with i18n.use_language((await self.get_state(I18nState)).settle(brand)):
            form = signup.signup_form(rid) if brand is not None else None
        self.available = form is not None
        self.brand = brand or portal.default_branding()
        self.fields = form or []
        self.errors = {}
        self.done = ""

    @rx.event
    async def submit(self, form: dict) -> None:
        """Create the WAIT account (the service re-checks that this portal takes signups)."""
        rid = page_rid(self)
        self.errors = {}
        if rid is None:
            self.available = False
            return
        try:
            with i18n.use_language(await tab_language(self)):
                self.done = await asyncio.to_thread(
                    signup.sign_up, rid, {k: str(v) for k, v in form.items()}, self.router.session.client_ip
                )
        except ValidationFailed as e:
            self.errors = e.errors
        except NotFound:
            self.available = False
