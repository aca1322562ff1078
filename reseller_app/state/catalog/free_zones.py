"""The wizard's "Free zone" tab: the open package's free zones (country, prefix or maximum cost rate)."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import free_zones
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.messages import error_text
from reseller_app.state.session import Answer, ResellerPage, signed_in

KINDS = ("country", "prefix", "max_rate")


class FreeZonesTab(ResellerPage, rx.State):
    """The free zones of the open package and the add form."""

    rows: list[dict[str, str]] = []
    kind: str = "country"
    value: str = ""
    error: str = ""

    def _show_package(self, actor: Actor, draft: PackageDraftState) -> None:
        """A package was opened: its zones, an empty form."""
        self.value = self.error = ""
        self._refresh(actor, draft)

    def _refresh(self, actor: Actor, draft: PackageDraftState) -> None:
        if not draft.package_id:
            self.rows = []  # nothing saved yet (or a hand-made event)
            return
        try:
            self.rows = free_zones.list_free_zones(actor, draft.package_id)
        except ServiceError as e:  # the open package is gone, or was never this reseller's
            self.rows, self.error = [], error_text(e)

    @rx.event
    def set_kind(self, value: str) -> None:
        """Country, prefix or maximum cost rate."""
        self.kind = value if value in KINDS else "country"

    @rx.event
    def set_value(self, value: str) -> None:
        """The zone's country, prefix or rate."""
        self.value = str(value)[:60]

    @rx.event
    @signed_in
    async def add(self, actor: Actor) -> Answer:
        """Add a free zone to the open package."""
        draft = await self.get_state(PackageDraftState)
        try:
            free_zones.add_free_zone(actor, draft.package_id, self.kind, self.value)
        except ServiceError as e:
            self.error = error_text(e)
            return None
        self.error = self.value = ""
        self._refresh(actor, draft)
        return None

    @rx.event
    @signed_in
    async def delete(self, actor: Actor, zone_id: str) -> Answer:
        """Remove a free zone."""
        try:
            free_zones.delete_free_zone(actor, zone_id)
        except ServiceError as e:
            self.error = error_text(e)
        self._refresh(actor, await self.get_state(PackageDraftState))
        return None
