"""The client's Call flows page: each number's routing and failovers, its diagram, and "what happens if…"."""

from __future__ import annotations

import asyncio

import reflex as rx

from reseller_app import i18n, routes
from reseller_app.i18n import _
from reseller_app.services.access.actor import Actor
from reseller_app.services.callflows import numbers as call_numbers
from reseller_app.services.common.errors import ServiceError
from reseller_app.state.i18n import tab_language
from reseller_app.state.messages import field_errors
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.session import Answer, ClientPage, page_rid, signed_in

ROUTE_FIELDS = call_numbers.ROUTE_FIELDS


class CallFlowsState(ClientPage, rx.State):
    """The numbers, the chosen one's routing form, diagram and simulator."""

    numbers: list[dict[str, str]] = []
    choices: list[dict[str, str]] = []
    selected_id: str = ""  # the id of the number shown
    values: dict[str, str] = {}
    form_key: int = 0
    diagram: list[dict[str, str]] = []
    sim_day: str = ""
    sim_at: str = "10:00"
    sim_keys: str = ""
    sim_caller: str = ""
    sim: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    refused: bool = False

    async def _refresh(self, actor: Actor) -> None:
        try:
            data = await asyncio.to_thread(call_numbers.numbers, actor)
        except ServiceError:
            self.refused, self.numbers, self.choices, self.diagram = True, [], [], []
            return
        self.numbers, self.choices = data["numbers"], data["choices"]
        self.sim_day = self.sim_day or data["today"]
        ids = [n["id"] for n in self.numbers]
        if self.selected_id not in ids:
            self.selected_id = ids[0] if ids else ""
        await self._show_selected(actor)

    async def _show_selected(self, actor: Actor) -> None:
        row = next((n for n in self.numbers if n["id"] == self.selected_id), None)
        self.values = {k: row[k] for k in ROUTE_FIELDS} if row else {k: "" for k in ROUTE_FIELDS}
        self.form_key += 1
        self.diagram = []
        if row is not None:
            try:
                self.diagram = await asyncio.to_thread(call_numbers.diagram, actor, self.selected_id)
            except ServiceError as e:
                self.errors = field_errors(e)

    @rx.event
    async def load(self) -> Answer:
        """Open the page (not in "Simple view (hide services page)", nor without the phone numbers service)."""
        portal = await self.get_state(PortalState)
        opened = await portal._open()
        if opened is None:
            return self._to_login()
        self.errors, self.message, self.sim, self.refused = {}, "", {}, False
        if portal.services_hidden:
            portal.page_refused = True
            return rx.redirect(routes.client_path(page_rid(self) or 0, "dashboard"))
        with i18n.use_language(await tab_language(self)):  # settled by the page's opening
            await self._refresh(opened.actor)
        return None

    @rx.event
    @signed_in
    async def select(self, actor: Actor, did_id: str) -> Answer:
        """Show another of the client's numbers."""
        if any(n["id"] == str(did_id) for n in self.numbers):
            self.selected_id, self.errors, self.message, self.sim = str(did_id), {}, "", {}
            await self._show_selected(actor)
        return None

    @rx.event
    @signed_in
    async def save_route(self, actor: Actor, form: dict) -> Answer:
        """Route the shown number (a destination and its failovers); messages of a refusal beside the fields."""
        self.errors, self.message = {}, ""
        values = {k: str(form.get(k, "") or "") for k in ROUTE_FIELDS}
        try:
            await asyncio.to_thread(call_numbers.route_number, actor, self.selected_id, values)
        except ServiceError as e:
            self.errors = field_errors(e)
            self.values = values
            return None
        self.message = _("Routing saved.")
        self.sim = {}
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def simulate(self, actor: Actor, form: dict) -> Answer:
        """Walk a call to the shown number at a date and time with some key presses."""
        self.errors, self.message = {}, ""
        self.sim_day = str(form.get("day", "") or "")[:10]
        self.sim_at = str(form.get("at", "") or "")[:8]
        self.sim_keys = str(form.get("keys", "") or "")[:40]
        self.sim_caller = str(form.get("caller", "") or "")[:32]
        try:
            inputs = (self.sim_day, self.sim_at, self.sim_keys, self.sim_caller)
            self.sim = await asyncio.to_thread(call_numbers.simulate, actor, self.selected_id, *inputs)
        except ServiceError as e:
            self.errors, self.sim = field_errors(e), {}
        return None
