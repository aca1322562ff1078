"""Manage rates & packages: the package list, and opening and saving the wizard.

The wizard's draft and open package are in package_draft; each tab is a state of its own beside it. Every handler
passes the reseller's Actor to services/catalog, which checks that each id it is given is the reseller's own.
"""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import wizard
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.state.catalog.area_rates import AreaRatesTab
from reseller_app.state.catalog.free_zones import FreeZonesTab
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.catalog.package_form import DetailsTab
from reseller_app.state.catalog.rate_lookup import RateLookupTab
from reseller_app.state.catalog.simulator import SimulatorTab
from reseller_app.state.messages import error_text
from reseller_app.state.session import Answer, ResellerPage, signed_in

# The tabs that show something of the open package; each starts afresh when another package is opened.
PACKAGE_TABS = (DetailsTab, AreaRatesTab, FreeZonesTab, RateLookupTab, SimulatorTab)


class PackagesState(ResellerPage, rx.State):
    """The package list and its messages; opens, saves and closes the wizard."""

    rows: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    confirm_delete: str = ""

    def _load_rows(self, actor: Actor) -> None:
        self.rows = wizard.list_packages(actor)

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the page: the package list, wizard closed."""
        (await self.get_state(PackageDraftState)).editing = False
        self.notice = self.error = self.confirm_delete = ""
        self._load_rows(actor)
        return None

    @rx.event
    @signed_in
    async def duplicate(self, actor: Actor, package_id: str) -> Answer:
        """Copy a package with its rates and free zones."""
        self.error = self.notice = ""
        try:
            wizard.duplicate_package(actor, package_id)
            self.notice = "Package duplicated."
        except ServiceError as e:
            self.error = error_text(e)
        self._load_rows(actor)
        return None

    @rx.event
    def ask_delete(self, package_id: str) -> None:
        """Ask before deleting."""
        self.confirm_delete = str(package_id)
        self.error = self.notice = ""

    @rx.event
    def cancel_delete(self) -> None:
        """Keep the package."""
        self.confirm_delete = ""

    @rx.event
    @signed_in
    async def delete(self, actor: Actor) -> Answer:
        """Delete the package asked about (refused by the service while it is in use)."""
        try:
            wizard.delete_package(actor, self.confirm_delete)
            self.notice = "Package deleted."
            draft = await self.get_state(PackageDraftState)
            if draft.package_id == self.confirm_delete:
                draft.editing = False
        except ServiceError as e:
            self.error = error_text(e)
        self.confirm_delete = ""
        self._load_rows(actor)
        return None

    async def _open(self, actor: Actor, package_id: str) -> None:
        draft = await self.get_state(PackageDraftState)
        draft._open(actor, package_id)
        self.notice = self.error = ""
        for tab in PACKAGE_TABS:
            (await self.get_state(tab))._show_package(actor, draft)

    @rx.event
    @signed_in
    async def new_package(self, actor: Actor) -> Answer:
        """Open an empty wizard."""
        await self._open(actor, "")
        return None

    @rx.event
    @signed_in
    async def edit(self, actor: Actor, package_id: str) -> Answer:
        """Open the wizard on a saved package (the service refuses another reseller's id)."""
        try:
            await self._open(actor, str(package_id))
        except ServiceError as e:
            (await self.get_state(PackageDraftState)).editing = False
            self.error = error_text(e)
        return None

    @rx.event
    @signed_in
    async def save(self, actor: Actor) -> Answer:
        """Save the wizard; messages appear beside the fields and nothing is saved when any is bad."""
        draft = await self.get_state(PackageDraftState)
        try:
            pid = wizard.save_package(actor, draft._values(), draft.package_id or None)
        except ValidationFailed as e:
            draft.errors = dict(e.errors)
            draft.saved_message = ""
            return None
        except ServiceError as e:
            self.error = error_text(e)
            return None
        created = not draft.package_id
        draft.package_id = str(pid)
        draft.errors = {}
        draft.saved_message = "Package saved." + (" You can now add per-area rates and free zones." if created else "")
        self._load_rows(actor)
        return None
