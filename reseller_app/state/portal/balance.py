"""The client's balance page: the figures, the deposit panel (state/portal/deposit.py) and the transactions."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.portal import account as client_portal
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage, turn_page


class BalanceState(ClientPage, rx.State):
    """One page of the client's transaction history."""

    transactions: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1

    def _show(self, page: dict) -> None:
        self.transactions = page["items"]
        self.pages = page["pages"]

    @rx.event
    async def load(self) -> Answer:
        """Balance page: the balance and the first page of the transaction history."""

        def fill(actor: Actor, view: client_portal.PortalView) -> dict:
            return {"tx": client_portal.transactions(actor, page=1)} if "balance" in view.services else {}

        portal = await self.get_state(PortalState)
        opened = await portal._open(fill, summary=True)
        if opened is None:
            return self._to_login()
        if not portal.show_balance:
            portal.page_refused = True
            return None
        self.page = 1
        self._show(opened.extra["tx"])
        return None

    @rx.event
    async def turn(self, delta: int) -> Answer:
        """Move through the transaction history."""
        want = turn_page(self.page, self.pages, delta)
        portal = await self.get_state(PortalState)
        opened = await portal._open(
            lambda actor, _view: {"tx": client_portal.transactions(actor, page=want)}, brand=False
        )
        if opened is None:
            return self._to_login()
        self.page = want
        self._show(opened.extra["tx"])
        return None
