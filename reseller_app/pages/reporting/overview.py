from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import reseller_layout, stat_card
from reseller_app.state.reporting.overview import ResellerState

S = ResellerState.stats


def _unreadable_row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["call_date"], white_space="nowrap"),
        rx.table.cell(row["uniqueid"]),
        rx.table.cell(row["reason"]),
        rx.table.cell(rx.code(row["raw"], size="1", white_space="pre-wrap", word_break="break-all")),
        rx.table.cell(row["first_seen"], white_space="nowrap"),
        rx.table.cell(
            rx.button(
                "Mark handled",
                size="1",
                variant="soft",
                on_click=ResellerState.handle_unreadable(row["id"]),
                white_space="nowrap",
            )
        ),
    )


def unreadable_records() -> rx.Component:
    """The carrier's call records that could not be read: not rated, so not billed, until the reseller acts."""
    return rx.cond(
        ResellerState.unreadable_count > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(
                rx.text(
                    ResellerState.unreadable_count,
                    " call record(s) from your carrier could not be read, so they were not billed. "
                    "If a record is a real call, charge the client by hand (Manage client), then mark it handled.",
                    weight="bold",
                ),
                rx.cond(ResellerState.unreadable_error != "", rx.text(ResellerState.unreadable_error, color="red")),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Call date"),
                                rx.table.column_header_cell("Unique id"),
                                rx.table.column_header_cell("Why"),
                                rx.table.column_header_cell("As the carrier sent it"),
                                rx.table.column_header_cell("First seen"),
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(ResellerState.unreadable, _unreadable_row)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.cond(
                    ResellerState.unreadable_count > ResellerState.unreadable.length(),
                    rx.text("The newest ", ResellerState.unreadable.length(), " are shown.", size="1"),
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="red",
            id="unreadable-cdrs",
            width="100%",
        ),
    )


def overview() -> rx.Component:
    """The reseller's home: clients, services and this month's money."""
    return reseller_layout(
        "Overview",
        rx.vstack(
            rx.cond(
                ~ResellerState.portal_active,
                rx.callout(
                    "Your client portal is not active yet: clients cannot sign in until you activate it.",
                    icon="info",
                    width="100%",
                ),
            ),
            unreadable_records(),
            rx.text("Clients", weight="bold"),
            rx.flex(
                stat_card("Active", S["clients_active"]),
                stat_card("Awaiting activation", S["clients_wait"]),
                stat_card("Suspended", S["clients_suspended"]),
                stat_card("Owed to you", S["owed"]),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.text("This month", weight="bold"),
            rx.flex(
                stat_card("Calls", S["month_calls"]),
                stat_card("Revenue", S["month_revenue"]),
                stat_card("Carrier cost", S["month_cost"]),
                stat_card("Profit", S["month_profit"], rx.cond(ResellerState.profit_negative, "red", "green")),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.text("Services", weight="bold"),
            rx.flex(
                stat_card("Packages", S["packages"]),
                stat_card("Sub-accounts", S["subaccounts"]),
                stat_card("Connected numbers", S["dids"]),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )
