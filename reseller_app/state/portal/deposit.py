"""The client's deposit panel: the reseller's amounts, and the trip to PayPal."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app.services.accounting import payments
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from reseller_app.state.session import ClientPage


class DepositState(ClientPage, rx.State):
    """Amounts offered (formatted strings), whether deposits are on, and the outcome of the last one."""

    enabled: bool = False
    amounts: list[dict[str, str]] = []
    error: str = ""
    outcome: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the reseller's amounts (and the ?deposit= outcome PayPal's return left in the URL)."""
        self.error = ""
        raw = str(self.rx_router_page.params.get("deposit", ""))
        self.outcome = raw if raw in ("completed", "pending", "cancelled", "failed") else ""
        actor = await self._actor()
        if actor is None:
            self.enabled, self.amounts = False, []
            return
        opts = await asyncio.to_thread(payments.deposit_options, actor)
        self.enabled, self.amounts = opts.enabled, opts.amounts

    @rx.event
    async def start(self, amount: str):  # noqa: ANN201
        """Create the PayPal order and send the client to PayPal to approve it."""
        self.error = ""
        actor = await self._actor()
        if actor is None:
            return None
        try:
            url = await asyncio.to_thread(payments.start_deposit, actor, str(amount))
        except ValidationFailed as e:
            self.error = next(iter(e.errors.values()), "Choose one of the amounts.")
            return None
        except (Forbidden, NotFound):
            return None
        except ServiceError:
            self.error = "PayPal is not reachable right now. Please try again later."
            return None
        return rx.redirect(url, is_external=False)
