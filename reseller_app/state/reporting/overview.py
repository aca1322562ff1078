"""The reseller shell: who is logged in, and the overview figures."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.reporting import overview
from reseller_app.state.session import Answer, ResellerPage, signed_in


class ResellerState(ResellerPage, rx.State):
    """The logged-in reseller's name and home figures."""

    name: str = ""
    stats: dict[str, str] = {}
    profit_negative: bool = False
    portal_active: bool = False

    @rx.event
    @signed_in
    async def guard(self, actor: Actor) -> Answer:
        """On every reseller page: a visitor without a reseller session goes to the login page."""
        data = overview.reseller_overview(actor)
        self.name = data["name"]
        self.portal_active = bool(data.pop("portal_active"))
        self.profit_negative = bool(data.pop("month_profit_negative"))
        self.stats = {k: str(v) for k, v in data.items()}
        return None
