"""The client's deposit panel: the reseller's amounts, and the trip to PayPal."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.i18n import _
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import payments
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from reseller_app.state.session import Answer, ClientPage, route_param, signed_in

OUTCOMES = ("completed", "pending", "cancelled", "failed")


class DepositState(ClientPage, rx.State):
    """Amounts offered (formatted strings), whether deposits are on, and the outcome of the last one."""

    enabled: bool = False
    amounts: list[dict[str, str]] = []
    error: str = ""
    outcome: str = ""

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Read the reseller's amounts (and the ?deposit= outcome PayPal's return left in the URL)."""
        self.error = ""
        raw = route_param(self, "deposit")
        self.outcome = raw if raw in OUTCOMES else ""
        opts = await asyncio.to_thread(payments.deposit_options, actor)
        self.enabled, self.amounts = opts.enabled, opts.amounts
        return None

    @rx.event
    @signed_in
    async def start(self, actor: Actor, amount: str) -> Answer:
        """Create the PayPal order and send the client to PayPal to approve it."""
        self.error = ""
        try:
            url = await asyncio.to_thread(payments.start_deposit, actor, str(amount))
        except ValidationFailed as e:
            self.error = next(iter(e.errors.values()), _("Choose one of the amounts."))
            return None
        except (Forbidden, NotFound):
            return None
        except ServiceError:
            self.error = _("PayPal is not reachable right now. Please try again later.")
            return None
        return rx.redirect(url, is_external=False)
