"""The wizard's "Rate lookup" tab: how the saved package prices one number."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import rate_lookup
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.messages import error_text
from reseller_app.state.session import Answer, ResellerPage, signed_in


class RateLookupTab(ResellerPage, rx.State):
    """The number typed and its pricing (destination, route, cost, price, and the rule that priced it)."""

    number: str = ""
    result: dict[str, str] = {}
    error: str = ""

    def _show_package(self, actor: Actor, draft: PackageDraftState) -> None:
        """A package was opened: nothing looked up yet."""
        self.number, self.result, self.error = "", {}, ""

    @rx.event
    def set_number(self, value: str) -> None:
        """The number to look up."""
        self.number = str(value)[:40]

    @rx.event
    @signed_in
    async def run(self, actor: Actor) -> Answer:
        """Price the typed number under the saved package."""
        draft = await self.get_state(PackageDraftState)
        try:
            self.result = rate_lookup.look_up(actor, draft.package_id, self.number)
            self.error = ""
        except ServiceError as e:
            self.result, self.error = {}, error_text(e)
        return None
