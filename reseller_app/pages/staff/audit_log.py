"""The reseller's Audit log page: who did what, when, from which address; filters, pages and CSV."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.csv_export import export_button, export_progress
from reseller_app.components.forms import field_error
from reseller_app.components.layout import reseller_layout
from reseller_app.components.pager import pager
from reseller_app.state.staff.audit_log import AuditLogState as S

COLUMNS = [
    ("When (UTC)", "when"),
    ("Who", "who"),
    ("Address", "ip"),
    ("Kind", "kind"),
    ("What", "action"),
    ("Object", "object"),
    ("Detail", "detail"),
]


def _menu(name: str, value: rx.Var, first: str, options: rx.Var, elem_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=first, id=elem_id, min_width="160px"),
        rx.select.content(
            rx.select.item(first, value="all"),
            rx.foreach(options, lambda c: rx.select.item(c["label"], value=c["id"])),
        ),
        value=value,
        on_change=lambda v: S.set_field(name, v),
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(type="date", value=S.date_from, on_change=lambda v: S.set_field("date_from", v), id="audit-from"),
        rx.input(type="date", value=S.date_to, on_change=lambda v: S.set_field("date_to", v), id="audit-to"),
        _menu("person", S.person, "Everyone", S.people, "audit-person"),
        _menu("kind", S.kind, "Every kind", S.kinds, "audit-kind"),
        _menu("client_id", S.client_id, "All clients", S.clients, "audit-client"),
        rx.button("Apply", on_click=S.apply, id="audit-apply"),
        export_button(S.export_url, "audit-export", variant="soft"),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def audit_log_page() -> rx.Component:
    """The audit log."""
    return reseller_layout(
        "Audit log",
        rx.vstack(
            rx.text(
                "Every sign-in, payment, charge, reversal and change made in your portal, with who made it. "
                "Entries cannot be edited or deleted.",
                size="2",
                color="gray",
            ),
            _filters(),
            export_progress(),
            *[field_error(S.errors, k) for k in ("date_from", "date_to", "person", "kind", "client_id", "form")],
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h, _ in COLUMNS])),
                    rx.table.body(
                        rx.foreach(S.rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for _, k in COLUMNS])),
                    ),
                    variant="surface",
                    size="1",
                    width="100%",
                    id="audit-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("Entries: ", S.total, size="1", color="gray"),
            pager(S.page, S.pages, S.turn, "audit"),
            spacing="4",
            width="100%",
        ),
    )
