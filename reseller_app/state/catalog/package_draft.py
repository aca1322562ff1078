"""The open package wizard: which package, which tab, and the draft its first five tabs edit (saved as one).

Every tab is a state of its own (package_form, area_rates, free_zones, rate_lookup, simulator); each reaches this
one with `get_state` for the open package and the draft. Services validate and price; nothing here computes money.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from reseller_app.billing.enums import ROUTES
from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import wizard
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.messages import error_text
from reseller_app.state.session import ResellerPage

TABS = ("details", "fees", "free", "system", "services", "rates", "zones", "lookup", "simulator")
FORM_TEXT = ("name", "markup_fixed", "markup_percent", "pulse", "monthly_fee", "setup_fee", "free_minutes")
FORM_TEXT += wizard.MESSAGE_RATES
FORM_CHOICE = {
    "canada_route": ROUTES,
    "international_route": ROUTES,
    "service_config": wizard.SERVICE_CONFIGS,
    "view_setting": wizard.VIEW_SETTINGS,
    "pulse": wizard.PULSES,
}
FORM_FLAGS = ("onnet_free", "allow_did_purchase")
FORM_LISTS = {"subaccount_editable": wizard.EDITABLE_FIELDS, "services": wizard.SERVICES}


class PackageDraftState(ResellerPage, rx.State):
    """Whether the wizard is open, on which package (none yet for a new one) and tab, and the unsaved draft."""

    editing: bool = False
    package_id: str = ""
    tab: str = "details"
    form: dict[str, str] = {}
    flags: dict[str, bool] = {}
    lists: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    saved_message: str = ""

    def _values(self) -> dict[str, Any]:
        """The draft as the services take it."""
        return {**self.form, **self.flags, **self.lists}

    def _open(self, actor: Actor, package_id: str) -> None:
        """Open the wizard on a saved package (refused by the service when it is not the reseller's) or a new one."""
        values = wizard.get_package(actor, package_id) if package_id else wizard.FORM_DEFAULTS
        self.form = {k: str(values[k]) for k in (*FORM_TEXT, *FORM_CHOICE)}
        self.flags = {k: bool(values[k]) for k in FORM_FLAGS}
        self.lists = {k: list(values[k]) for k in FORM_LISTS}
        self.editing = True
        self.package_id = package_id
        self.tab = "details"
        self.errors = {}
        self.saved_message = ""

    # A tab changes the draft through these, naming the fields it owns; each change is validated at once.

    def _set_text(self, actor: Actor, allowed: tuple[str, ...], field: str, value: str) -> bool:
        """Keep a typed or chosen value of one of the `allowed` fields; False (nothing kept) for any other."""
        if field not in allowed:
            return False
        self.form[field] = str(value)[:200]
        self._validate(actor)
        return True

    def _set_flag(self, actor: Actor, allowed: tuple[str, ...], field: str, value: bool) -> None:
        """Keep a yes/no option of one of the `allowed` fields (any other is ignored)."""
        if field in allowed:
            self.flags[field] = bool(value)
            self._validate(actor)

    def _toggle(self, actor: Actor, field: str, item: str, on: bool) -> None:
        """Tick or untick one item of a list field (an unknown field or item is ignored)."""
        if field in FORM_LISTS and item in FORM_LISTS[field]:
            chosen = set(self.lists.get(field, []))
            chosen.add(item) if on else chosen.discard(item)
            self.lists[field] = [x for x in FORM_LISTS[field] if x in chosen]
            self._validate(actor)

    def _validate(self, actor: Actor) -> None:
        """Check the whole draft as it stands: the messages appear beside the fields of every tab."""
        self.saved_message = ""
        try:
            self.errors = wizard.validate_package(actor, self._values(), self.package_id or None)
        except ServiceError as e:
            self.errors = {"name": error_text(e)}

    @rx.event
    def close(self) -> None:
        """Close the wizard without saving."""
        self.editing = False

    @rx.event
    def set_tab(self, tab: str) -> None:
        """Switch wizard tab."""
        if tab in TABS:
            self.tab = tab
