"""The Manage page's card payments: refund one in full or in part (once)."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import cards
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in


class CardRefundState(ResellerPage, rx.State):
    """The client's card payments and the refund draft (which payment, what amount; empty = in full)."""

    payments: list[dict[str, str]] = []
    amounts: dict[str, str] = {}
    error: str = ""
    notice: str = ""

    def _client_id(self) -> str:
        return route_param(self, "client_id")

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The client's credited card payments."""
        self.error, self.notice, self.amounts = "", "", {}
        try:
            self.payments = await asyncio.to_thread(cards.client_card_payments, actor, self._client_id())
        except ServiceError:
            self.payments = []
        return None

    @rx.event
    @signed_in
    async def set_amount(self, actor: Actor, payment_id: str, value: str) -> Answer:
        """The amount to refund of one payment (empty: all of it)."""
        self.amounts[str(payment_id)[:12]] = str(value)[:20]
        return None

    @rx.event
    @signed_in
    async def refund(self, actor: Actor, payment_id: str) -> Answer:
        """Refund at Stripe and in the ledger."""
        self.error, self.notice = "", ""
        pid = str(payment_id)[:12]
        try:
            await asyncio.to_thread(cards.refund, actor, self._client_id(), pid, self.amounts.get(pid, ""))
        except ValidationFailed as e:
            self.error = next(iter(e.errors.values()), "Not refunded.")
            return None
        except ServiceError as e:
            self.error = str(e) or "Not refunded."
            return None
        self.notice = "Refunded."
        self.payments = await asyncio.to_thread(cards.client_card_payments, actor, self._client_id())
        from reseller_app.state.clients.manage import ManageState

        return ManageState.load  # the balance and the history show the refund
