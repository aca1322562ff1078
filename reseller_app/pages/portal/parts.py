"""What several pages of the client's portal show alike: its tables, figures, pager and the "not available" panel."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app.components.layout import client_button, client_panel
from reseller_app.components.pager import pager
from reseller_app.state.i18n import t
from reseller_app.state.portal.shell import PortalState

S = PortalState.summary
SELECT_STYLE = {"padding": "0.35em", "border_radius": "4px", "border": "1px solid #d1d5db", "font_size": "14px"}


def figure(label: str | rx.Var, value: rx.Var, elem_id: str) -> rx.Component:
    """One figure in a panel."""
    return client_panel(label, rx.text(value, size="6", weight="bold", id=elem_id), flex="1", min_width="180px")


def empty(text: str | rx.Var) -> rx.Component:
    """What an empty list says."""
    return rx.text(text, size="2", color="gray", padding="0.5em 0")


def scroll(table: rx.Component) -> rx.Component:
    """A table that scrolls sideways on a narrow screen."""
    return rx.box(table, overflow_x="auto", width="100%")


# Columns a phone leaves out (shown from 768 px on): the tables keep dates, numbers, results and amounts.
WIDE_ONLY = {"direction", "account", "rate", "type"}
# Columns whose text wraps (the others stay on one line).
WRAPPED = {"description", "path"}


def _shown(column: str) -> dict:
    return {"display": ["none", "none", "table-cell"]} if column in WIDE_ONLY else {}


# On a phone each row becomes a card: one line per column, its header before the value, so no column (the result,
# the price) is off-screen. From 641 px on it is a table again.
STACKED = {
    "@media (max-width: 640px)": {
        "& thead": {"display": "none"},
        "& tbody, & tr": {"display": "block", "width": "100%"},
        "& tr": {"padding": "0.4em 0", "border_bottom": "1px solid rgba(0, 0, 0, 0.12)"},
        "& td": {
            "display": "flex",
            "justify_content": "space-between",
            "gap": "1em",
            "padding": "0.15em 0.25em",
            "box_shadow": "none",
            "text_align": "right",
            "white_space": "normal",
        },
        "& td::before": {"content": "attr(data-label)", "font_weight": "600", "text_align": "left"},
    }
}


def _cell(row: rx.Var, column: str, header: str | rx.Var) -> rx.Component:
    value = row[column].to(str)
    label = {"data-label": header}
    if column == "date":  # on a narrow screen the time goes under the day; the day itself never breaks
        parts = value.split(" ")  # the day, then the time (one word, or "19 h 05" in French)
        day = rx.el.span(parts[0], white_space="nowrap")
        time = rx.el.span(parts[1:].join(" "), white_space="nowrap")
        return rx.table.cell(rx.box(day, " ", time), white_space="normal", custom_attrs=label, **_shown(column))
    return rx.table.cell(
        value, white_space="normal" if column in WRAPPED else "nowrap", custom_attrs=label, **_shown(column)
    )


def portal_table(
    headers: list[rx.Var], rows: rx.Var, cells: list[str], empty_text: str | rx.Var, table_id: str = ""
) -> rx.Component:
    """The rows of a list, one column per cell key; a phone leaves out the WIDE_ONLY columns."""
    return rx.cond(
        rows.length() > 0,
        scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h, **_shown(c)) for h, c in zip(headers, cells, strict=True)]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda r: rx.table.row(*[_cell(r, c, h) for h, c in zip(headers, cells, strict=True)]),
                    )
                ),
                size="1",
                width="100%",
                id=table_id or None,
                style=STACKED,
            )
        ),
        empty(empty_text),
    )


def refused() -> rx.Component:
    """The panel of a page the client's view does not include."""
    return client_panel(t("Not available"), rx.text(t("This page is not part of your service.")), width="100%")


def balance_figures() -> rx.Component:
    """The balance (with the suspension note) and, outside the simple view, this month's and today's spending."""
    return rx.flex(
        client_panel(
            t("Balance"),
            rx.text(
                S["balance"],
                size="7",
                weight="bold",
                color=rx.cond(PortalState.balance_negative, "#b91c1c", "inherit"),
                id="balance",
            ),
            rx.cond(
                S["status"] == "SUSPENDED",
                rx.vstack(
                    rx.text(
                        t(
                            "Your account is suspended because your balance is at or below zero. "
                            "Add funds to restore your service."
                        ),
                        size="2",
                        color="#b91c1c",
                        id="suspended-note",
                    ),
                    # How to pay without PayPal, in the reseller's words (Messages → Payment instructions).
                    rx.cond(
                        S["payment_instructions"] != "",
                        rx.text(
                            S["payment_instructions"],
                            size="2",
                            white_space="pre-line",
                            overflow_wrap="anywhere",
                            id="payment-instructions",
                        ),
                    ),
                    spacing="1",
                ),
            ),
            flex="1",
            min_width="200px",
        ),
        rx.cond(~PortalState.simple_view, figure(t("Spent this month"), S["month_spent"], "month-spent")),
        rx.cond(~PortalState.simple_view, figure(t("Spent today"), S["today_spent"], "today-spent")),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def portal_pager(page: rx.Var, pages: rx.Var, turn: Callable[[int], rx.event.EventSpec], prefix: str) -> rx.Component:
    """The pager in the reseller's button colours."""
    return pager(page, pages, turn, prefix, button=client_button, margin_top="0.75em")


def labelled(label: str | rx.Var, control: rx.Component) -> rx.Component:
    """A small label above a control."""
    return rx.vstack(rx.text(label, size="1", weight="medium"), control, spacing="1")
