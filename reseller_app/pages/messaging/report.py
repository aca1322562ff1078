"""The reseller's SMS/MMS report: every message or one line per client, with cost, price, profit and CSV."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.csv_export import export_button, export_progress
from reseller_app.components.forms import field_error
from reseller_app.components.layout import reseller_layout, stat_card
from reseller_app.components.pager import pager
from reseller_app.state.messaging.report import MessageReportState as S

GLOBAL_COLUMNS = [
    ("Date", "date"),
    ("Client", "client"),
    ("Type", "kind"),
    ("Direction", "direction"),
    ("Number", "did"),
    ("Other party", "contact"),
    ("Parts", "segments"),
    ("Cost", "cost"),
    ("Price", "price"),
    ("Profit", "profit"),
]
USER_COLUMNS = [
    ("Client", "client"),
    ("Messages", "messages"),
    ("Parts", "segments"),
    ("Cost", "cost"),
    ("Price", "price"),
    ("Profit", "profit"),
]


def _select(name: str, value: rx.Var, options: list[tuple[str, str]], elem_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=elem_id),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in options]),
        value=value,
        on_change=lambda v: S.set_field(name, v),
    )


def _filters() -> rx.Component:
    return rx.flex(
        _select("view", S.view, [("global", "Every message"), ("user", "Per client")], "sms-view"),
        rx.input(type="date", value=S.date_from, on_change=lambda v: S.set_field("date_from", v), id="sms-from"),
        rx.input(type="date", value=S.date_to, on_change=lambda v: S.set_field("date_to", v), id="sms-to"),
        rx.select.root(
            rx.select.trigger(placeholder="All clients", id="sms-client", min_width="200px"),
            rx.select.content(
                rx.select.item("All clients", value="all"),
                rx.foreach(S.clients, lambda c: rx.select.item(c["label"], value=c["id"])),
            ),
            value=S.client_id,
            on_change=lambda v: S.set_field("client_id", v),
        ),
        _select("kind", S.kind, [("all", "SMS and MMS"), ("sms", "SMS"), ("mms", "MMS")], "sms-kind"),
        _select("direction", S.direction, [("all", "Both ways"), ("out", "Outgoing"), ("in", "Incoming")], "sms-dir"),
        rx.button("Apply", on_click=S.apply, id="sms-apply"),
        export_button(S.export_url, "sms-export", variant="soft"),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def _table(columns: list[tuple[str, str]]) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h, _ in columns])),
            rx.table.body(
                rx.foreach(S.rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for _, k in columns])),
            ),
            variant="surface",
            size="1",
            width="100%",
            id="sms-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def message_report() -> rx.Component:
    """The SMS/MMS report."""
    t = S.totals
    return reseller_layout(
        "SMS/MMS report",
        rx.vstack(
            rx.link("← Reports", href=routes.RESELLER_REPORTS, size="2"),
            _filters(),
            export_progress(),
            *[field_error(S.errors, k) for k in ("date_from", "date_to", "client_id", "kind", "direction", "form")],
            rx.flex(
                stat_card("Messages", t["messages"]),
                stat_card("Parts", t["segments"]),
                stat_card("Cost", t["cost"]),
                stat_card("Price", t["price"]),
                stat_card("Profit", t["profit"]),
                spacing="3",
                wrap="wrap",
                id="sms-totals",
            ),
            rx.cond(S.view == "user", _table(USER_COLUMNS), _table(GLOBAL_COLUMNS)),
            rx.text("Rows: ", S.total, size="1", color="gray"),
            pager(S.page, S.pages, S.turn, "sms"),
            spacing="4",
            width="100%",
        ),
    )
