"""The wizard's first five tabs: each edits its own fields of the draft, which is validated whole as it changes."""

from __future__ import annotations

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import wizard
from reseller_app.state.catalog.package_draft import PackageDraftState
from reseller_app.state.session import Answer, ResellerPage, signed_in

DETAILS_FIELDS = ("name", "markup_fixed", "markup_percent", "pulse", "canada_route", "international_route")
DETAILS_FLAGS = ("onnet_free",)
FEES_FIELDS = ("monthly_fee", "setup_fee", *wizard.MESSAGE_RATES)
FEES_FLAGS = ("allow_did_purchase",)
FREE_MINUTES_FIELDS = ("free_minutes",)
SERVICES_FIELDS = ("service_config", "view_setting")


class DetailsTab(ResellerPage, rx.State):
    """Details: name, markup, pulse, routes, free VoIP-to-VoIP calls; and the live example of a priced call."""

    sample_destination: str = "442071234567"
    sample_cost: str = ""
    example: dict[str, str] = {}

    def _show_package(self, actor: Actor, draft: PackageDraftState) -> None:
        """A package was opened: the example for its values."""
        self.sample_cost = ""
        self._refresh_example(actor, draft)

    def _refresh_example(self, actor: Actor, draft: PackageDraftState) -> None:
        self.example = wizard.example_line(actor, draft._values(), self.sample_destination, self.sample_cost)

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, field: str, value: str) -> Answer:
        """A text or choice field changed: validate live and refresh the example line."""
        draft = await self.get_state(PackageDraftState)
        if draft._set_text(actor, DETAILS_FIELDS, field, value):
            self._refresh_example(actor, draft)
        return None

    @rx.event
    @signed_in
    async def set_flag(self, actor: Actor, field: str, value: bool) -> Answer:
        """A yes/no option changed."""
        (await self.get_state(PackageDraftState))._set_flag(actor, DETAILS_FLAGS, field, value)
        return None

    @rx.event
    @signed_in
    async def set_sample_destination(self, actor: Actor, value: str) -> Answer:
        """The example's destination number."""
        self.sample_destination = str(value)[:32]
        self._refresh_example(actor, await self.get_state(PackageDraftState))
        return None

    @rx.event
    @signed_in
    async def set_sample_cost(self, actor: Actor, value: str) -> Answer:
        """A typed carrier cost for the example (overrides the destination)."""
        self.sample_cost = str(value)[:20]
        self._refresh_example(actor, await self.get_state(PackageDraftState))
        return None


class FeesTab(ResellerPage, rx.State):
    """Fees: the monthly and setup fees, and whether clients may buy numbers."""

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, field: str, value: str) -> Answer:
        """A fee changed: validate live."""
        (await self.get_state(PackageDraftState))._set_text(actor, FEES_FIELDS, field, value)
        return None

    @rx.event
    @signed_in
    async def set_flag(self, actor: Actor, field: str, value: bool) -> Answer:
        """Clients may (or may not) buy phone numbers from their portal."""
        (await self.get_state(PackageDraftState))._set_flag(actor, FEES_FLAGS, field, value)
        return None


class FreeMinutesTab(ResellerPage, rx.State):
    """Free minutes: how many per billing cycle."""

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, field: str, value: str) -> Answer:
        """The free minutes changed: validate live."""
        (await self.get_state(PackageDraftState))._set_text(actor, FREE_MINUTES_FIELDS, field, value)
        return None


class SystemTab(ResellerPage, rx.State):
    """Reseller system configuration: the sub-account settings the client may edit."""

    @rx.event
    @signed_in
    async def toggle(self, actor: Actor, item: str, on: bool) -> Answer:
        """Tick or untick one editable sub-account setting."""
        (await self.get_state(PackageDraftState))._toggle(actor, "subaccount_editable", item, on)
        return None


class ServicesTab(ResellerPage, rx.State):
    """Services configuration: the reseller's defaults or the package's own view and services."""

    @rx.event
    @signed_in
    async def set_field(self, actor: Actor, field: str, value: str) -> Answer:
        """The type of configuration or the view setting changed: validate live."""
        (await self.get_state(PackageDraftState))._set_text(actor, SERVICES_FIELDS, field, value)
        return None

    @rx.event
    @signed_in
    async def toggle(self, actor: Actor, item: str, on: bool) -> Answer:
        """Tick or untick one service shown to the client."""
        (await self.get_state(PackageDraftState))._toggle(actor, "services", item, on)
        return None
