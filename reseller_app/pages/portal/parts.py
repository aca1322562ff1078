"""What several pages of the client's portal show alike: its tables, figures, pager and the "not available" panel."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app.components.layout import client_button, client_panel
from reseller_app.components.pager import pager
from reseller_app.state.portal.shell import PortalState

S = PortalState.summary
SELECT_STYLE = {"padding": "0.35em", "border_radius": "4px", "border": "1px solid #d1d5db", "font_size": "14px"}


def figure(label: str, value: rx.Var, elem_id: str) -> rx.Component:
    """One figure in a panel."""
    return client_panel(label, rx.text(value, size="6", weight="bold", id=elem_id), flex="1", min_width="180px")


def empty(text: str) -> rx.Component:
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


def _cell(row: rx.Var, column: str) -> rx.Component:
    value = row[column].to(str)
    if column == "date":  # on a narrow screen the time goes under the day; the day itself never breaks
        parts = value.split(" ")
        day, time = (rx.el.span(parts[i], white_space="nowrap") for i in (0, 1))
        return rx.table.cell(day, " ", time, white_space="normal", **_shown(column))
    return rx.table.cell(value, white_space="normal" if column in WRAPPED else "nowrap", **_shown(column))


def portal_table(
    headers: list[str], rows: rx.Var, cells: list[str], empty_text: str, table_id: str = ""
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
                        lambda r: rx.table.row(*[_cell(r, c) for c in cells]),
                    )
                ),
                size="1",
                width="100%",
                id=table_id or None,
            )
        ),
        empty(empty_text),
    )


def refused() -> rx.Component:
    """The panel of a page the client's view does not include."""
    return client_panel("Not available", rx.text("This page is not part of your service."), width="100%")


def balance_figures() -> rx.Component:
    """The balance (with the suspension note) and, outside the simple view, this month's and today's spending."""
    return rx.flex(
        client_panel(
            "Balance",
            rx.text(
                S["balance"],
                size="7",
                weight="bold",
                color=rx.cond(PortalState.balance_negative, "#b91c1c", "inherit"),
                id="balance",
            ),
            rx.cond(
                S["status"] == "SUSPENDED",
                rx.text(
                    "Your account is suspended because your balance is at or below zero. "
                    "Add funds to restore your service.",
                    size="2",
                    color="#b91c1c",
                    id="suspended-note",
                ),
            ),
            flex="1",
            min_width="200px",
        ),
        rx.cond(~PortalState.simple_view, figure("Spent this month", S["month_spent"], "month-spent")),
        rx.cond(~PortalState.simple_view, figure("Spent today", S["today_spent"], "today-spent")),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def portal_pager(page: rx.Var, pages: rx.Var, turn: Callable[[int], rx.event.EventSpec], prefix: str) -> rx.Component:
    """The pager in the reseller's button colours."""
    return pager(page, pages, turn, prefix, button=client_button, margin_top="0.75em")


def labelled(label: str, control: rx.Component) -> rx.Component:
    """A small label above a control."""
    return rx.vstack(rx.text(label, size="1", weight="medium"), control, spacing="1")
