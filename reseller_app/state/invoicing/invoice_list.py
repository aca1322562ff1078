"""The reseller's Invoices page (every invoice and credit note, filtered, paged, CSV) and the invoices part of a
client's Manage page (its invoices, credit notes, tax exemption)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.invoicing import documents, issue, profile, queries
from reseller_app.state.messages import error_text, field_errors
from reseller_app.state.session import Answer, ResellerPage, route_param, signed_in, turn_page


class InvoiceListState(ResellerPage, rx.State):
    """Filters as strings, one page of rows and the filters' totals."""

    client_id: str = ""
    date_from: str = ""
    date_to: str = ""
    kind: str = ""
    number: str = ""
    items: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    count: int = 0
    total: str = ""
    tax_total: str = ""
    clients: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _raw(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "kind": self.kind,
            "number": self.number,
        }

    def _refresh(self, actor: Actor) -> None:
        try:
            data = queries.list_invoices(actor, self._raw(), self.page)
        except ValidationFailed as e:
            self.errors = field_errors(e)
            return
        except ServiceError as e:
            self.errors = {"form": str(e)}
            return
        self.errors = {}
        self.items, self.page, self.pages = data["items"], data["page"], data["pages"]
        self.count, self.total, self.tax_total = data["count"], data["total"], data["tax_total"]

    @rx.var
    def export_url(self) -> str:
        """The CSV of the current filters."""
        query = {k: v for k, v in self._raw().items() if v}
        return "/api/reports/invoices.csv" + (f"?{urlencode(query)}" if query else "")

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The first page, newest first."""
        self.page = 1
        self.clients = queries.client_choices(actor)
        self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_filter(self, actor: Actor, key: str, value: str) -> Answer:
        """Change one filter and show its first page."""
        if key in ("client_id", "date_from", "date_to", "kind", "number"):
            setattr(self, key, str(value)[:40] if value != "all" else "")
            self.page = 1
            self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Another page."""
        self.page = turn_page(self.page, self.pages, delta)
        self._refresh(actor)
        return None


class ClientInvoicesAdminState(ResellerPage, rx.State):
    """A client's invoices on its Manage page: open, credit lines, tax exemption."""

    invoices: list[dict[str, str]] = []
    exempt: bool = False
    exempt_number: str = ""
    exempt_notice: str = ""
    credit_invoice: str = ""
    credit_lines: list[dict[str, str]] = []
    credit_selected: list[str] = []
    credit_reason: str = ""
    credit_notice: str = ""
    errors: dict[str, str] = {}

    def _client_id(self) -> str:
        return route_param(self, "client_id")

    def _reload(self, actor: Actor) -> None:
        self.invoices = queries.invoices_of_client(actor, self._client_id())
        self.exempt, self.exempt_number = profile.exemption(actor, self._client_id())

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """The client's invoices and exemption."""
        self.credit_invoice, self.credit_lines, self.credit_selected = "", [], []
        self.credit_reason, self.credit_notice, self.exempt_notice, self.errors = "", "", "", {}
        try:
            self._reload(actor)
        except ServiceError:
            self.invoices = []
        return None

    @rx.event
    @signed_in
    async def set_exempt(self, actor: Actor, value: bool) -> Answer:
        """The exemption switch of the draft."""
        self.exempt = bool(value)
        return None

    @rx.event
    @signed_in
    async def set_exempt_number(self, actor: Actor, value: str) -> Answer:
        """The exemption number of the draft."""
        self.exempt_number = str(value)[:60]
        return None

    @rx.event
    @signed_in
    async def save_exemption(self, actor: Actor) -> Answer:
        """Save whether the client is tax-exempt (later invoices only)."""
        try:
            profile.set_exemption(actor, self._client_id(), self.exempt, self.exempt_number)
        except ServiceError as e:
            self.errors = field_errors(e, "exempt_number")
            self.exempt_notice = error_text(e)
            return None
        self.errors = {}
        self.exempt_notice = "Saved."
        return None

    @rx.event
    @signed_in
    async def start_credit(self, actor: Actor, number: str) -> Answer:
        """Open the credit-note form for one invoice: its lines to tick."""
        try:
            data = documents.show(actor, number)
        except ServiceError as e:
            self.credit_notice = str(e)
            return None
        if data["kind"] != "invoice":
            return None
        self.credit_invoice = data["number"]
        self.credit_lines = [
            {"position": ln["position"], "description": ln["description"], "amount": ln["amount"]}
            for ln in data["display"]["lines"]
        ]
        self.credit_selected, self.credit_reason, self.credit_notice = [], "", ""
        return None

    @rx.event
    @signed_in
    async def toggle_line(self, actor: Actor, position: str, on: bool) -> Answer:
        """Tick or untick a line to credit."""
        position = str(position)
        rest = [p for p in self.credit_selected if p != position]
        self.credit_selected = [*rest, position] if on else rest
        return None

    @rx.event
    @signed_in
    async def set_reason(self, actor: Actor, value: str) -> Answer:
        """The credit note's reason."""
        self.credit_reason = str(value)[:255]
        return None

    @rx.event
    @signed_in
    async def cancel_credit(self, actor: Actor) -> Answer:
        """Close the credit-note form."""
        self.credit_invoice, self.credit_lines, self.credit_selected = "", [], []
        return None

    @rx.event
    @signed_in
    async def issue_credit(self, actor: Actor) -> Answer:
        """Issue the credit note for the ticked lines."""
        try:
            with_number = documents.show(actor, self.credit_invoice)
            note = issue.credit_note(
                actor, with_number["id"], [int(p) for p in self.credit_selected if p.isdigit()], self.credit_reason
            )
        except ServiceError as e:
            self.credit_notice = error_text(e)
            return None
        self.credit_invoice, self.credit_lines, self.credit_selected = "", [], []
        self.credit_notice = f"Credit note {note.number} issued."
        self._reload(actor)
        return None
