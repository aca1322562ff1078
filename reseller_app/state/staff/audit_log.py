"""The reseller's Audit log page: filters, one page of entries, the CSV's address."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.reporting import filters, inventory
from reseller_app.services.staff import audit_log
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in, turn_page

FILTER_FIELDS = ("date_from", "date_to", "person", "kind", "client_id")


class AuditLogState(ResellerPage, rx.State):
    """Filters as typed (checked by the service) and one page of entries, newest first."""

    date_from: str = ""
    date_to: str = ""
    person: str = "all"
    kind: str = "all"
    client_id: str = "all"
    page: int = 1
    pages: int = 1
    total: str = "0"
    rows: list[dict[str, str]] = []
    clients: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    kinds: list[dict[str, str]] = audit_log.kind_choices()
    errors: dict[str, str] = {}

    def _raw(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}

    def _refresh(self, actor: Actor) -> None:
        self.errors = {}
        try:
            data = audit_log.entries(actor, self._raw(), page=self.page)
        except ServiceError as e:
            self.errors = field_errors(e, "form")
            self.rows = []
            return
        self.rows = data["items"]
        self.page, self.pages, self.total = data["page"], data["pages"], data["total"]

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the log: this month so far, everyone, every kind."""
        first, today = filters.default_period()
        self.date_from = self.date_from or first.isoformat()
        self.date_to = self.date_to or today.isoformat()
        self.clients = inventory.client_choices(actor)
        self.people = audit_log.person_choices(actor)
        self.page = 1
        self._refresh(actor)
        return None

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """One filter as typed."""
        if name in FILTER_FIELDS:
            setattr(self, name, str(value)[:20])

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
        """Move through the log."""
        self.page = turn_page(self.page, self.pages, delta)
        self._refresh(actor)
        return None

    @rx.var(cache=False)
    def export_url(self) -> str:
        """The streamed CSV of every entry of the filters as typed (the endpoint checks session and filters)."""
        return routes.report_csv("audit", self._raw())
