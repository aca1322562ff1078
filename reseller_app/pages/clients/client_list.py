"""Manage client's accounts: the searchable, paged list with Edit, Manage and Login as client."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import data_table
from reseller_app.components.layout import empty_state, reseller_layout
from reseller_app.components.pager import pager
from reseller_app.pages.clients.parts import status_badge
from reseller_app.state.clients.client_list import ClientListState

CLIENTS = routes.RESELLER_CLIENTS


def _client_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["id"]),
        rx.table.cell(rx.vstack(rx.text(row["email"]), rx.text(row["name"], size="1", color="gray"), spacing="0")),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["last_login"], white_space="nowrap"),
        rx.table.cell(
            rx.text(row["balance"], color=rx.cond(row["balance_negative"] != "", "red", "inherit")),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft"),
                    href=CLIENTS + "/" + row["id"] + "/edit",
                ),
                rx.link(
                    rx.button(rx.icon("settings", size=14), "Manage", size="1", variant="soft"),
                    href=CLIENTS + "/" + row["id"],
                ),
                rx.button(
                    rx.icon("log-in", size=14),
                    "Login as client",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=ClientListState.login_as(row["id"]),
                ),
                spacing="2",
            )
        ),
        id="client-row-" + row["id"],
    )


def client_list() -> rx.Component:
    """Manage client's accounts: the searchable, paginated list with Edit, Manage and Login as client."""
    return reseller_layout(
        "Manage client's accounts",
        rx.vstack(
            rx.flex(
                rx.input(
                    placeholder="Search by id, email, name, company or phone",
                    value=ClientListState.search,
                    on_change=ClientListState.set_search.debounce(300),
                    width="100%",
                    max_width="420px",
                    id="client-search",
                ),
                rx.select(
                    ["all", "ACTIVE", "WAIT", "SUSPENDED"],
                    value=ClientListState.status,
                    on_change=ClientListState.set_status,
                ),
                rx.text(ClientListState.total, " client(s)", size="2", color="gray"),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("user-plus", size=16), "Create a new client account", id="new-client"),
                    href=CLIENTS + "/new",
                ),
                gap="1em",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(ClientListState.error != "", rx.callout(ClientListState.error, color_scheme="red")),
            rx.cond(
                ClientListState.rows.length() > 0,
                data_table(
                    ["User ID", "Email / name", "Phone", "Status", "Last login", "Balance", ""],
                    rx.table.body(rx.foreach(ClientListState.rows, _client_row)),
                ),
                empty_state("No clients found", "Clients you create or who sign up appear here."),
            ),
            pager(ClientListState.page, ClientListState.pages, ClientListState.turn),
            width="100%",
            spacing="3",
        ),
    )
