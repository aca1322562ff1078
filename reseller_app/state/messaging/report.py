"""The reseller's SMS/MMS report: filters, global or per client, one page of rows, totals, the CSV's address."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.messaging import report
from reseller_app.services.reporting import filters, inventory
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in, turn_page


class MessageReportState(ResellerPage, rx.State):
    """Filters as typed (checked by the service), one page of rows and the period's totals."""

    view: str = "global"  # global | user
    date_from: str = ""
    date_to: str = ""
    client_id: str = "all"
    kind: str = "all"
    direction: str = "all"
    page: int = 1
    pages: int = 1
    total: str = "0"
    rows: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    clients: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _raw(self) -> dict[str, str]:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "client_id": self.client_id,
            "kind": self.kind,
            "direction": self.direction,
        }

    def _refresh(self, actor: Actor) -> None:
        self.errors = {}
        try:
            data = report.report(actor, self._raw(), per_user=self.view == "user", page=self.page)
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            self.rows, self.totals = [], {}
            return
        self.rows, self.totals = data["items"], data["totals"]
        self.page, self.pages, self.total = data["page"], data["pages"], data["total"]

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the report: this month so far, every client, every message."""
        first, today = filters.default_period()
        self.date_from = self.date_from or first.isoformat()
        self.date_to = self.date_to or today.isoformat()
        self.clients = inventory.client_choices(actor)
        self.page = 1
        self._refresh(actor)
        return None

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """One filter as typed."""
        if name in ("date_from", "date_to", "client_id", "kind", "direction", "view"):
            setattr(self, name, str(value)[:12])

    @rx.event
    @signed_in
    async def apply(self, actor: Actor) -> Answer:
        """The first page for the chosen filters."""
        self.page = 1
        self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Move through the report."""
        self.page = turn_page(self.page, self.pages, delta)
        self._refresh(actor)
        return None

    @rx.var(cache=False)
    def export_url(self) -> str:
        """The streamed CSV of every message of the filters as typed (the endpoint checks session and filters)."""
        return routes.report_csv("messages", self._raw())
