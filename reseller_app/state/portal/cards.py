"""The client's card panel: pay one of the reseller's amounts by card, save a card, automatic top-up."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.i18n import _
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import cards
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from reseller_app.state.session import Answer, ClientPage, route_param, signed_in

CARD_OUTCOMES = ("saved", "pending", "cancelled")


class CardState(ClientPage, rx.State):
    """Amounts, the saved card, the top-up draft and the outcome of a trip to Stripe's page."""

    enabled: bool = False
    amounts: list[dict[str, str]] = []
    card_label: str = ""
    topup_enabled: bool = False
    topup_threshold: str = ""
    topup_amount: str = ""
    topup_paused: bool = False
    card_outcome: str = ""
    error: str = ""
    errors: dict[str, str] = {}
    notice: str = ""

    def _apply(self, opts: cards.CardOptions) -> None:
        self.enabled, self.amounts, self.card_label = opts.enabled, opts.amounts, opts.card_label
        self.topup_enabled, self.topup_paused = opts.topup_enabled, opts.topup_paused
        self.topup_threshold = opts.topup_threshold
        self.topup_amount = opts.topup_amount or (opts.amounts[0]["value"] if opts.amounts else "")

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Read the options (and the ?card= outcome Stripe's return left in the URL)."""
        self.error, self.errors, self.notice = "", {}, ""
        raw = route_param(self, "card")
        self.card_outcome = raw if raw in CARD_OUTCOMES else ""
        self._apply(await asyncio.to_thread(cards.card_options, actor))
        return None

    async def _go(self, fn: object, *args: object) -> Answer:
        self.error = ""
        try:
            url = await asyncio.to_thread(fn, *args)  # type: ignore[arg-type]
        except ValidationFailed as e:
            self.error = next(iter(e.errors.values()), _("Choose one of the amounts."))
            return None
        except (Forbidden, NotFound):
            return None
        except ServiceError:
            self.error = _("Card payments are not reachable right now. Please try again later.")
            return None
        return rx.redirect(str(url), is_external=False)

    @rx.event
    @signed_in
    async def pay(self, actor: Actor, amount: str) -> Answer:
        """Send the client to Stripe's page to pay this amount by card."""
        return await self._go(cards.start_card_deposit, actor, str(amount))

    @rx.event
    @signed_in
    async def save_card(self, actor: Actor) -> Answer:
        """Send the client to Stripe's page to save a card for automatic top-up."""
        return await self._go(cards.start_card_setup, actor)

    @rx.event
    @signed_in
    async def set_draft(self, actor: Actor, key: str, value: str) -> Answer:
        """The threshold or amount of the top-up draft."""
        if key in ("topup_threshold", "topup_amount"):
            setattr(self, key, str(value)[:20])
        return None

    @rx.event
    @signed_in
    async def save_topup(self, actor: Actor, enabled: bool) -> Answer:
        """Turn automatic top-up on (with the draft's threshold and amount) or off."""
        self.errors, self.notice = {}, ""
        try:
            opts = await asyncio.to_thread(
                cards.set_topup, actor, bool(enabled), self.topup_threshold, self.topup_amount
            )
        except ValidationFailed as e:
            self.errors = dict(e.errors)
            return None
        except (Forbidden, NotFound):
            return None
        self._apply(opts)
        self.notice = _("Automatic top-up is on.") if opts.topup_enabled else _("Automatic top-up is off.")
        return None

    @rx.event
    @signed_in
    async def remove_card(self, actor: Actor) -> Answer:
        """Forget the saved card (automatic top-up stops)."""
        try:
            self._apply(await asyncio.to_thread(cards.remove_card, actor))
        except (Forbidden, NotFound):
            return None
        self.notice = _("The card was removed.")
        return None
