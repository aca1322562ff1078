"""The reseller's workspace pages: overview, configuration, packages and clients (reports: pages/reports.py)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import empty_state, reseller_layout, stat_card
from reseller_app.state.lists import ClientListState, PackageListState
from reseller_app.state.reseller import ResellerState

S = ResellerState.stats


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


def configuration() -> rx.Component:
    """Reseller configuration: where the client portal lives and whether it is on."""
    url = f"/r/{ResellerState.stats['reseller_id']}/login"
    return reseller_layout(
        "Reseller configuration",
        rx.card(
            rx.vstack(
                rx.text("Client interface access", weight="bold"),
                rx.text("Your clients sign in to their white-label portal at:", size="2"),
                rx.code(url, size="3"),
                rx.hstack(
                    rx.text("Portal status:", size="2"),
                    rx.cond(
                        ResellerState.portal_active,
                        rx.badge("Active", color_scheme="green"),
                        rx.badge("Not activated", color_scheme="orange"),
                    ),
                ),
                spacing="2",
            ),
            width="100%",
        ),
    )


def _status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("ACTIVE", rx.badge("ACTIVE", color_scheme="green")),
        ("WAIT", rx.badge("WAIT", color_scheme="orange")),
        ("SUSPENDED", rx.badge("SUSPENDED", color_scheme="red")),
        rx.badge(status),
    )


def _client_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["id"]),
        rx.table.cell(rx.vstack(rx.text(row["email"]), rx.text(row["name"], size="1", color="gray"), spacing="0")),
        rx.table.cell(row["phone"]),
        rx.table.cell(_status_badge(row["status"])),
        rx.table.cell(row["last_login"]),
        rx.table.cell(rx.text(row["balance"], color=rx.cond(row["balance_negative"] != "", "red", "inherit"))),
        rx.table.cell(
            rx.button(
                rx.icon("log-in", size=14),
                "Login as client",
                size="1",
                variant="soft",
                on_click=ClientListState.login_as(row["id"]),
            )
        ),
    )


def clients() -> rx.Component:
    """Manage client's accounts: the searchable, paginated list."""
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
                rx.text(ClientListState.total, " clients", size="2", color="gray"),
                gap="1em",
                align="center",
                wrap="wrap",
            ),
            rx.cond(ClientListState.error != "", rx.callout(ClientListState.error, color_scheme="red")),
            rx.cond(
                ClientListState.rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("ID", "Email / name", "Phone", "Status", "Last login", "Balance", "")
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(ClientListState.rows, _client_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty_state("No clients found", "Clients you create or who sign up appear here."),
            ),
            rx.hstack(
                rx.button("Previous", on_click=ClientListState.turn(-1), disabled=ClientListState.page <= 1, size="1"),
                rx.text("Page ", ClientListState.page, " of ", ClientListState.pages, size="2"),
                rx.button(
                    "Next",
                    on_click=ClientListState.turn(1),
                    disabled=ClientListState.page >= ClientListState.pages,
                    size="1",
                ),
                align="center",
            ),
            width="100%",
            spacing="3",
        ),
    )


def _package_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *[
            rx.table.cell(row[k])
            for k in ("name", "markup", "pulse", "monthly_fee", "setup_fee", "free_minutes", "in_use")
        ]
    )


def packages() -> rx.Component:
    """Manage rates & packages: the package list."""
    return reseller_layout(
        "Manage rates & packages",
        rx.cond(
            PackageListState.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "Name",
                                    "Markup",
                                    "Pulse",
                                    "Monthly fee",
                                    "Setup fee",
                                    "Free minutes",
                                    "Sub-accounts",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(PackageListState.rows, _package_row)),
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
            ),
            empty_state("No packages yet", "A package sets the markup, pulse and fees your clients pay."),
        ),
    )
