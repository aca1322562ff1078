"""The Reports tab: which report, its filters, its sort and one page of rows (never the whole table)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from reseller_app import routes
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import ServiceError, ValidationFailed
from reseller_app.services.invoicing import queries as invoice_queries
from reseller_app.services.reporting import cdr, filters, financial, inventory
from reseller_app.state.messages import field_errors
from reseller_app.state.session import Answer, ResellerPage, signed_in, turn_page

TABS = ("global", "user", "fax", "financial", "subaccounts", "dids")
EXPORT_KIND = {"global": "cdr", "user": "cdr", "fax": "fax", "financial": "financial"}
DEFAULT_SORT = {"global": "start", "user": "start", "fax": "start", "subaccounts": "account", "dids": "number"}


def _strings(rows: list[dict]) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in r.items()} for r in rows]


class ReportsState(ResellerPage, rx.State):
    """The reseller's report view: filters as strings, one page of rows, totals, chart points."""

    tab: str = "global"
    date_from: str = ""
    date_to: str = ""
    client_id: str = "all"
    sub_account_id: str = "all"
    direction: str = "all"
    disposition: str = "all"
    sort: str = "start"
    desc: bool = True
    page: int = 1
    pages: int = 1
    rows: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    chart: list[dict[str, str]] = []
    clients: list[dict[str, str]] = []
    sub_accounts: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    error: str = ""
    tax_rows: list[dict[str, str]] = []
    tax_totals: list[dict[str, str]] = []
    tax_chart: list[dict[str, str]] = []
    tax_names: list[str] = []

    def _raw(self) -> dict[str, str]:
        client = "" if self.tab == "global" else self.client_id
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "client_id": client,
            "sub_account_id": self.sub_account_id if self.tab == "user" else "",
            "direction": self.direction if self.tab in ("global", "user", "fax") else "",
            "disposition": self.disposition if self.tab in ("global", "user") else "",
        }

    async def _refresh(self, actor: Actor) -> None:
        # The report queries (sums over a period's calls) run in a thread: the loop serves other sessions meanwhile.
        self.errors, self.error = {}, ""
        try:
            f = filters.parse_filters(self._raw())
            if self.tab in ("global", "user"):
                if self.tab == "user" and f.client_id is None:
                    self.rows, self.totals, self.pages = [], {}, 1
                    self.error = "Choose a client to see its calls."
                    return
                data = await self._blocking(cdr.cdr_report, actor, f, self.sort, self.desc, self.page)
            elif self.tab == "fax":
                data = await self._blocking(cdr.fax_report, actor, f, self.sort, self.desc, self.page)
            elif self.tab == "financial":
                data = await self._blocking(financial.financial_report, actor, f.date_from, f.date_to)
                data.update(page=1, pages=1)
                self._taxes(actor)
            elif self.tab == "subaccounts":
                data = await self._blocking(
                    inventory.subaccount_report, actor, f.client_id, self.sort, self.desc, self.page
                )
            else:
                data = await self._blocking(inventory.did_report, actor, f.client_id, self.sort, self.desc, self.page)
        except ValidationFailed as e:
            self.errors = field_errors(e)
            return
        except ServiceError as e:
            self.error = str(e)
            return
        self.rows = _strings(data["items"])
        self.totals = {k: str(v) for k, v in data["totals"].items()}
        self.chart = _strings(data.get("chart", []))
        self.pages = data["pages"]
        self.page = data["page"]

    def _taxes(self, actor: Actor) -> None:
        # The financial report's taxes collected per tax per month (services/invoicing/queries.py).
        taxes = invoice_queries.taxes_by_month(actor, self.date_from, self.date_to)
        self.tax_rows, self.tax_totals = taxes["rows"], taxes["totals"]
        self.tax_chart, self.tax_names = taxes["chart"], taxes["names"]

    @rx.event
    @signed_in
    async def load(self, actor: Actor) -> Answer:
        """Open the reports: this month so far, all clients, global CDR."""
        first, today = filters.default_period()
        self.date_from = self.date_from or first.isoformat()
        self.date_to = self.date_to or today.isoformat()
        self.clients = inventory.client_choices(actor)
        self.page = 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_tab(self, actor: Actor, value: str) -> Answer:
        """Switch report."""
        self.tab = value if value in TABS else "global"
        self.sort, self.desc, self.page = DEFAULT_SORT.get(self.tab, "start"), self.tab in ("global", "user", "fax"), 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_date_from(self, actor: Actor, value: str) -> Answer:
        """Start of the period (YYYY-MM-DD)."""
        self.date_from, self.page = str(value)[:10], 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_date_to(self, actor: Actor, value: str) -> Answer:
        """End of the period, inclusive (YYYY-MM-DD)."""
        self.date_to, self.page = str(value)[:10], 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_client(self, actor: Actor, value: str) -> Answer:
        """Narrow to one client (checked against the reseller in the service)."""
        self.client_id, self.sub_account_id, self.page = str(value)[:12], "all", 1
        self.sub_accounts = []
        if self.client_id.isdigit():
            try:
                self.sub_accounts = inventory.subaccount_choices(actor, int(self.client_id))
            except ServiceError:
                self.sub_accounts = []
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_sub_account(self, actor: Actor, value: str) -> Answer:
        """Narrow the per-user CDR to one sub-account of the chosen client."""
        self.sub_account_id, self.page = str(value)[:12], 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_direction(self, actor: Actor, value: str) -> Answer:
        """Incoming, outgoing or both."""
        self.direction, self.page = str(value)[:8], 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def set_disposition(self, actor: Actor, value: str) -> Answer:
        """Answered, no answer, busy, failed, or all."""
        self.disposition, self.page = str(value)[:16], 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def sort_by(self, actor: Actor, column: str) -> Answer:
        """Sort on the server by a column; a second click reverses the order."""
        column = str(column)[:20]
        if column == self.sort:
            self.desc = not self.desc
        else:
            self.sort, self.desc = column, column in ("start", "cost", "price", "profit", "duration")
        self.page = 1
        await self._refresh(actor)
        return None

    @rx.event
    @signed_in
    async def turn(self, actor: Actor, delta: int) -> Answer:
        """Next or previous page."""
        self.page = turn_page(self.page, self.pages, delta)
        await self._refresh(actor)
        return None

    @rx.var(cache=False)
    def export_url(self) -> str:
        """The streamed CSV of the whole report for the current filters (the endpoint checks session and filters)."""
        return routes.report_csv(EXPORT_KIND.get(self.tab, self.tab), self._raw())

    @rx.var(cache=False)
    def taxes_export_url(self) -> str:
        """The CSV of the taxes collected per tax per month for the period."""
        query = {k: v for k, v in (("date_from", self.date_from), ("date_to", self.date_to)) if v}
        return f"/api/reports/taxes.csv?{urlencode(query)}"
