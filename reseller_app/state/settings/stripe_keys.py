"""The Payment tab's card-payments card: the reseller's Stripe keys (secrets are never sent back to the page)."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import cards
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.state.session import Answer, ResellerPage, signed_in

FIELDS = ("stripe_publishable_key", "stripe_secret_key", "stripe_webhook_secret")


class StripeKeysState(ResellerPage, rx.State):
    """The switch and the publishable key as saved; the secret fields stay empty unless the reseller types."""

    enabled: bool = False
    publishable_key: str = ""
    secret_key: str = ""
    webhook_secret: str = ""
    has_secret: bool = False
    has_webhook_secret: bool = False
    webhook_url: str = ""
    errors: dict[str, str] = {}
    notice: str = ""

    def _apply(self, data: dict[str, str]) -> None:
        self.enabled = bool(data["stripe_enabled"])
        self.publishable_key = data["stripe_publishable_key"]
        self.has_secret = bool(data["stripe_has_secret"])
        self.has_webhook_secret = bool(data["stripe_has_webhook_secret"])
        self.webhook_url = data["stripe_webhook_url"]
        self.secret_key = self.webhook_secret = ""

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The saved settings (no secret)."""
        self._apply(cards.stripe_settings(actor))
        self.errors, self.notice = {}, ""
        return None

    @rx.event
    @signed_in
    async def set_value(self, actor: Actor, key: str, value: str) -> Answer:
        """One field of the draft."""
        if key in ("publishable_key", "secret_key", "webhook_secret"):
            setattr(self, key, str(value)[:300])
        return None

    @rx.event
    @signed_in
    async def set_enabled(self, actor: Actor, value: bool) -> Answer:
        """The switch of the draft."""
        self.enabled = bool(value)
        return None

    @rx.event
    @signed_in
    async def save(self, actor: Actor) -> Answer:
        """Check the secret key with Stripe and save; a wrong key is named beside its field."""
        self.errors, self.notice = {}, ""
        try:
            data = await asyncio.to_thread(
                cards.save_stripe, actor, self.enabled, self.publishable_key, self.secret_key, self.webhook_secret
            )
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            self.notice = "Not saved: correct the fields marked in red."
            return None
        except ServiceError as e:
            self.notice = str(e)
            return None
        self._apply(data)
        self.notice = "Saved."
        return None
