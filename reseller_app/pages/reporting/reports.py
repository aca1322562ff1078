"""Reports: global and per-user CDR, per-user fax, financial (table and chart), sub-accounts and DIDs."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.billing.enums import DISPOSITIONS as CALL_DISPOSITIONS
from reseller_app.components.csv_export import export_button, export_progress, export_reset
from reseller_app.components.forms import field_error
from reseller_app.components.layout import SCROLL_CUE, empty_state, reseller_layout, stat_card
from reseller_app.components.pager import pager
from reseller_app.pages.invoicing.invoice_list import taxes_panel
from reseller_app.state.reporting.reports import ReportsState as R

TAB_LABELS = [
    ("global", "Global CDR"),
    ("user", "Per user CDR"),
    ("fax", "Per user FAX"),
    ("financial", "Financial"),
    ("subaccounts", "Sub accounts"),
    ("dids", "DIDs"),
]
DIRECTIONS = [("all", "Both directions"), ("in", "Incoming"), ("out", "Outgoing")]
DISPOSITIONS = ["all", *CALL_DISPOSITIONS]


def _red_if(flag: rx.Var) -> rx.Var:
    return rx.cond(flag != "", "red", "inherit")


def _money_cell(row: rx.Var, key: str) -> rx.Component:
    return rx.table.cell(rx.text(row[key], color=_red_if(row["profit_negative"]) if key == "profit" else "inherit"))


def _header(label: str, key: str = "") -> rx.Component:
    if not key:
        return rx.table.column_header_cell(label)
    arrow = rx.cond(R.sort == key, rx.cond(R.desc, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.link(label, arrow, on_click=R.sort_by(key), cursor="pointer", underline="none", id=f"sort-{key}"),
    )


def _table(headers: list[rx.Component], row_fn) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        R.rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*headers)),
                rx.table.body(rx.foreach(R.rows, row_fn)),
                variant="surface",
                size="1",
                width="100%",
                white_space="nowrap",
                id="report-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        empty_state("Nothing in this report", "Change the period or the filters to see more."),
    )


def _cdr_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(row[k]) for k in ("date", "client", "account", "direction", "destination")],
        rx.table.cell(row["disposition"]),
        rx.table.cell(row["duration"]),
        *[_money_cell(row, k) for k in ("cost", "price", "profit")],
    )


def _cdr_table() -> rx.Component:
    return _table(
        [
            _header("Date (UTC)", "start"),
            _header("Client"),
            _header("Account"),
            _header("Direction"),
            _header("Destination", "destination"),
            _header("Disposition"),
            _header("Duration", "duration"),
            _header("Cost", "cost"),
            _header("Selling price", "price"),
            _header("Net profit", "profit"),
        ],
        _cdr_row,
    )


def _fax_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(row[k]) for k in ("date", "client", "direction", "remote_number", "pages", "status")],
        *[_money_cell(row, k) for k in ("cost", "price", "profit")],
    )


def _fax_table() -> rx.Component:
    return _table(
        [
            _header("Date (UTC)", "start"),
            _header("Client"),
            _header("Direction"),
            _header("Number"),
            _header("Pages", "pages"),
            _header("Status"),
            _header("Cost", "cost"),
            _header("Selling price", "price"),
            _header("Net profit", "profit"),
        ],
        _fax_row,
    )


FIN_KEYS = ("calls", "faxes", "sms", "mms", "fees", "credits", "revenue", "deposits", "cost")


def _fin_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["month"]),
        *[rx.table.cell(row[k]) for k in FIN_KEYS],
        _money_cell(row, "profit"),
    )


def _financial() -> rx.Component:
    t = R.totals
    return rx.vstack(
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.x_axis(data_key="month"),
                rx.recharts.y_axis(),
                rx.recharts.tooltip(),
                rx.recharts.legend(),
                rx.recharts.bar(data_key="revenue", name="Revenue", fill="#2563eb"),
                rx.recharts.bar(data_key="cost", name="Cost", fill="#9ca3af"),
                rx.recharts.bar(data_key="profit", name="Profit", fill="#16a34a"),
                rx.recharts.bar(data_key="messages", name="SMS/MMS revenue", fill="#f59e0b"),
                data=R.chart,
                width="100%",
                height=280,
            ),
            width="100%",
            background="white",
            border_radius="8px",
            padding="0.5em",
            id="financial-chart",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in (
                                "Month",
                                "Calls",
                                "Faxes",
                                "SMS",
                                "MMS",
                                "Fees & charges",
                                "Credits",
                                "Revenue",
                                "Deposits",
                                "Cost",
                                "Profit",
                            )
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(R.rows, _fin_row),
                    rx.table.row(
                        rx.table.row_header_cell("Total"),
                        *[rx.table.cell(rx.text(t[k], weight="bold"), id=f"fin-total-{k}") for k in FIN_KEYS],
                        rx.table.cell(
                            rx.text(t["profit"], weight="bold", color=_red_if(t["profit_negative"])),
                            id="fin-total-profit",
                        ),
                    ),
                ),
                variant="surface",
                size="1",
                width="100%",
                id="report-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        taxes_panel(R),
        width="100%",
        spacing="3",
    )


def _sub_row(row: rx.Var) -> rx.Component:
    return rx.table.row(*[rx.table.cell(row[k]) for k in ("account", "description", "client", "package", "dids")])


def _did_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(row[k]) for k in ("number", "kind", "client", "account", "package", "rate_center")],
        rx.table.cell(row["monthly_fee"]),
    )


def _call_totals() -> rx.Component:
    t = R.totals
    return rx.flex(
        stat_card(rx.cond(R.tab == "fax", "Faxes", "Calls"), rx.text(t["count"], id="total-count")),
        stat_card("Cost", rx.text(t["cost"], id="total-cost")),
        stat_card("Selling price", rx.text(t["price"], id="total-price")),
        stat_card("Net profit", rx.text(t["profit"], id="total-profit"), _red_if(t["profit_negative"])),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def _list_totals() -> rx.Component:
    t = R.totals
    return rx.flex(
        rx.cond(
            R.tab == "subaccounts",
            rx.fragment(
                stat_card("Sub-accounts", rx.text(t["count"], id="total-count")),
                stat_card("DIDs", rx.text(t["dids"], id="total-dids")),
            ),
            rx.fragment(
                stat_card("DIDs", rx.text(t["count"], id="total-count")),
                stat_card("Monthly fees", rx.text(t["monthly_fee"], id="total-monthly")),
            ),
        ),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def _filters() -> rx.Component:
    dated = (R.tab != "subaccounts") & (R.tab != "dids")
    calls = (R.tab == "global") | (R.tab == "user")
    return rx.flex(
        rx.cond(
            dated,
            rx.fragment(
                rx.vstack(
                    rx.text("From", size="1", color="gray"),
                    rx.input(type="date", value=R.date_from, on_change=R.set_date_from, id="date-from"),
                    field_error(R.errors, "date_from"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("To", size="1", color="gray"),
                    rx.input(type="date", value=R.date_to, on_change=R.set_date_to, id="date-to"),
                    field_error(R.errors, "date_to"),
                    spacing="1",
                ),
            ),
        ),
        rx.cond(
            (R.tab != "global") & (R.tab != "financial"),
            rx.vstack(
                rx.text("Client", size="1", color="gray"),
                rx.select.root(
                    rx.select.trigger(placeholder="All clients", id="client-filter", min_width="220px"),
                    rx.select.content(
                        rx.select.item("All clients", value="all"),
                        rx.foreach(R.clients, lambda c: rx.select.item(c["label"], value=c["id"])),
                    ),
                    value=R.client_id,
                    on_change=R.set_client,
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            (R.tab == "user") & (R.sub_accounts.length() > 0),
            rx.vstack(
                rx.text("Sub-account", size="1", color="gray"),
                rx.select.root(
                    rx.select.trigger(id="subaccount-filter"),
                    rx.select.content(
                        rx.select.item("All sub-accounts", value="all"),
                        rx.foreach(R.sub_accounts, lambda s: rx.select.item(s["label"], value=s["id"])),
                    ),
                    value=R.sub_account_id,
                    on_change=R.set_sub_account,
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            calls | (R.tab == "fax"),
            rx.vstack(
                rx.text("Direction", size="1", color="gray"),
                rx.select.root(
                    rx.select.trigger(id="direction-filter"),
                    rx.select.content(*[rx.select.item(label, value=v) for v, label in DIRECTIONS]),
                    value=R.direction,
                    on_change=R.set_direction,
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            calls,
            rx.vstack(
                rx.text("Disposition", size="1", color="gray"),
                rx.select(DISPOSITIONS, value=R.disposition, on_change=R.set_disposition, id="disposition-filter"),
                spacing="1",
            ),
        ),
        rx.spacer(),
        rx.vstack(
            rx.text("\u00a0", size="1"),
            export_button(R.export_url, "export-csv"),
            spacing="1",
        ),
        gap="1em",
        wrap="wrap",
        align="start",
        width="100%",
    )


def reports_page() -> rx.Component:
    """The Reports tab."""
    return reseller_layout(
        "Reports",
        rx.vstack(
            rx.link("SMS/MMS report →", href=routes.RESELLER_MESSAGE_REPORT, size="2", id="link-sms-report"),
            rx.tabs.root(
                rx.box(
                    rx.tabs.list(
                        *[rx.tabs.trigger(label, value=v, id=f"tab-{v}") for v, label in TAB_LABELS],
                        style={"flex_wrap": "nowrap"},
                    ),
                    width="100%",
                    style=SCROLL_CUE,
                ),
                value=R.tab,
                on_change=lambda v: [R.set_tab(v), export_reset()],
                width="100%",
                overflow_x="auto",
            ),
            _filters(),
            export_progress(),
            rx.cond(R.error != "", rx.callout(R.error, icon="info", width="100%", id="report-message")),
            rx.match(
                R.tab,
                ("financial", _financial()),
                (
                    "subaccounts",
                    rx.vstack(
                        _list_totals(),
                        _table(
                            [
                                _header("Sub-account", "account"),
                                _header("Description"),
                                _header("Client", "client"),
                                _header("Package", "package"),
                                _header("DIDs"),
                            ],
                            _sub_row,
                        ),
                        pager(R.page, R.pages, R.turn),
                        width="100%",
                    ),
                ),
                (
                    "dids",
                    rx.vstack(
                        _list_totals(),
                        _table(
                            [
                                _header("DID", "number"),
                                _header("Type"),
                                _header("Client", "client"),
                                _header("Sub-account"),
                                _header("Package"),
                                _header("Rate centre", "rate_center"),
                                _header("Monthly fee"),
                            ],
                            _did_row,
                        ),
                        pager(R.page, R.pages, R.turn),
                        width="100%",
                    ),
                ),
                ("fax", rx.vstack(_call_totals(), _fax_table(), pager(R.page, R.pages, R.turn), width="100%")),
                rx.cond(
                    R.totals.contains("count"),
                    rx.vstack(_call_totals(), _cdr_table(), pager(R.page, R.pages, R.turn), width="100%"),
                ),
            ),  # fmt: skip
            width="100%",
            spacing="3",
        ),
    )
