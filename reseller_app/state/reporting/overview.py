"""The reseller shell: who is logged in, and the overview figures."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.reporting import overview
from reseller_app.services.telephony import unreadable
from reseller_app.state.i18n import I18nState
from reseller_app.state.session import Answer, ResellerPage, signed_in


class ResellerState(ResellerPage, rx.State):
    """The logged-in reseller's name and home figures."""

    name: str = ""
    stats: dict[str, str] = {}
    profit_negative: bool = False
    portal_active: bool = False
    # Call records the carrier sent that could not be read (not billed): the Overview page lists the open ones.
    unreadable_count: int = 0
    unreadable: list[dict[str, str]] = []
    unreadable_error: str = ""

    @rx.event
    @signed_in
    async def guard(self, actor: Actor) -> Answer:
        """On every reseller page: a visitor without a reseller session goes to the login page."""
        (await self.get_state(I18nState)).english()  # the reseller's pages are in English (README, Languages)
        data = overview.reseller_overview(actor)
        self.name = data["name"]
        self.portal_active = bool(data.pop("portal_active"))
        self.profit_negative = bool(data.pop("month_profit_negative"))
        self.stats = {k: str(v) for k, v in data.items()}
        return None

    def _unreadable(self, actor: Actor) -> None:
        found = unreadable.open_records(actor)
        self.unreadable_count, self.unreadable = found["count"], found["rows"]

    @rx.event
    @signed_in
    async def load_overview(self, actor: Actor) -> Answer:
        """The Overview page's own data: the carrier's call records that could not be read."""
        self.unreadable_error = ""
        self._unreadable(actor)
        return None

    @rx.event
    @signed_in
    async def handle_unreadable(self, actor: Actor, record_id: str) -> Answer:
        """The reseller has dealt with an unreadable record (billed it by hand, or it was no call)."""
        self.unreadable_error = ""
        try:
            unreadable.mark_handled(actor, str(record_id)[:12])
        except ServiceError as e:
            self.unreadable_error = str(e)
        self._unreadable(actor)
        return None
