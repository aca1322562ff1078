"""The client's call history: filters, one page of calls (server-side) and the CSV export of the filtered calls."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from reseller_app.i18n import N_
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.portal import account as client_portal
from reseller_app.state.messages import error_text
from reseller_app.state.portal.shell import Fill, PortalState
from reseller_app.state.session import Answer, ClientPage, page_rid, turn_page

CALL_TYPES = [
    ("answered", N_("Answered")),
    ("busy", N_("Busy")),
    ("failed", N_("Failed")),
    ("noanswer", N_("No answer")),
]


class CallsState(ClientPage, rx.State):
    """The filters as typed (checked by the service) and one page of calls."""

    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: str = "0"
    f_from: str = ""
    f_to: str = ""
    f_types: list[str] = []
    f_sub: str = "all"
    sub_choices: list[dict[str, str]] = []
    error: str = ""
    simple_view: bool = False  # the client's view hides the call types (and the export ignores them)

    def _reader(self, page: int, *, subs: bool = False) -> Fill:
        """The reads of a page of calls with the current filters; field errors and refusals are kept, not raised."""
        filters = {
            "date_from": self.f_from,
            "date_to": self.f_to,
            "types": list(self.f_types),
            "sub_account_id": self.f_sub,
        }

        def fill(actor: Actor, view: client_portal.PortalView) -> dict:
            if "cdr" not in view.services:
                return {}
            out: dict = {"subs": client_portal.subaccount_choices(actor)} if subs else {}
            if view.simple:
                filters["types"] = []
            try:
                out["calls"] = client_portal.calls(actor, page=page, **filters)
            except (ValidationFailed, NotFound, Forbidden) as e:
                out["error"] = error_text(e)
            return out

        return fill

    async def _read(self, page: int, *, subs: bool = False, brand: bool = False) -> dict | None:
        """Open the page with a page of calls and show it; the reads' outcome, or None without a session."""
        portal = await self.get_state(PortalState)
        opened = await portal._open(self._reader(page, subs=subs), brand=brand)
        if opened is None:
            return None
        self.simple_view = portal.simple_view
        extra = opened.extra
        self.error = extra.get("error", "")
        if self.error:  # refused filters: no list of calls (and no count) that they did not select
            self.rows, self.page, self.pages, self.total = [], 1, 1, ""
        if "calls" in extra:
            calls = extra["calls"]
            self.rows = calls["items"]
            self.page = calls["page"]
            self.pages = calls["pages"]
            self.total = calls["total"]
        return extra

    @rx.event
    async def load(self) -> Answer:
        """Call history page: the filters reset and the first page of calls."""
        self.f_from, self.f_to, self.f_types, self.f_sub = "", "", [], "all"
        extra = await self._read(1, subs=True, brand=True)
        if extra is None:
            return self._to_login()
        portal = await self.get_state(PortalState)
        if not portal.show_calls:
            portal.page_refused = True
            return None
        self.sub_choices = extra["subs"]
        return None

    @rx.event
    async def turn(self, delta: int) -> Answer:
        """Move through the call history."""
        extra = await self._read(turn_page(self.page, self.pages, delta))
        return self._to_login() if extra is None else None

    @rx.event
    def set_from(self, value: str) -> None:
        """The first day of the call-history range."""
        self.f_from = str(value)[:10]

    @rx.event
    def set_to(self, value: str) -> None:
        """The last day of the call-history range."""
        self.f_to = str(value)[:10]

    @rx.event
    def set_sub(self, value: str) -> None:
        """One sub-account, or all."""
        self.f_sub = str(value)[:12]

    @rx.event
    def toggle_type(self, kind: str, on: bool) -> None:
        """Tick or untick a call type."""
        kinds = [k for k in self.f_types if k != kind]
        if on and kind in dict(CALL_TYPES):
            kinds.append(kind)
        self.f_types = sorted(kinds)

    @rx.event
    async def apply_filters(self) -> Answer:
        """Show the first page of calls for the chosen filters."""
        extra = await self._read(1)
        return self._to_login() if extra is None else None

    @rx.event
    async def export(self) -> Answer:
        """Download the calls of the chosen filters as CSV, after checking them (a refusal is said, not a failed
        download); the list on the page follows the same filters."""
        extra = await self._read(1)
        if extra is None:
            return self._to_login()
        if self.error:
            return None
        return rx.download(url=self.export_url, filename="calls.csv")

    @rx.var
    def export_url(self) -> str:
        """The CSV download of the calls for the chosen filters."""
        query = {"date_from": self.f_from, "date_to": self.f_to, "sub": "" if self.f_sub == "all" else self.f_sub}
        if not self.simple_view:
            query["types"] = ",".join(self.f_types)
        return f"/api/client/{page_rid(self) or 0}/calls.csv?{urlencode(query)}"
