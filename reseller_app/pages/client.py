"""The client's white-label pages: dashboard, balance, call history and services."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.state.client import ClientState

S = ClientState.summary


def _figure(label: str, value: rx.Var) -> rx.Component:
    return client_panel(label, rx.text(value, size="6", weight="bold"), flex="1", min_width="180px")


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color="gray", padding="0.5em 0")


def _table(headers: list[str], rows: rx.Var, cells: list[str], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[c]) for c in cells]))),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        _empty(empty),
    )


def _balance_figures() -> rx.Component:
    return rx.flex(
        client_panel(
            "Balance",
            rx.text(
                S["balance"],
                size="7",
                weight="bold",
                color=rx.cond(ClientState.balance_negative, "#b91c1c", "inherit"),
                id="balance",
            ),
            rx.cond(
                S["status"] == "SUSPENDED",
                rx.text("Suspended: add funds to restore service.", size="2", color="#b91c1c"),
            ),
            flex="1",
            min_width="200px",
        ),
        rx.cond(~ClientState.simple_view, _figure("Spent this month", S["month_spent"])),
        rx.cond(~ClientState.simple_view, _figure("Spent today", S["today_spent"])),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def dashboard() -> rx.Component:
    """The first page a client sees: the reseller's welcome text, balance and recent calls."""
    return client_layout(
        rx.vstack(
            rx.heading("Hello, ", S["firstname"], size="6"),
            rx.box(rx.html(ClientState.welcome_html), width="100%", class_name="welcome"),
            _balance_figures(),
            client_panel(
                "Recent calls",
                _table(
                    ["Date", "Direction", "Number", "Sub-account", "Result", "Duration", "Price"],
                    ClientState.calls,
                    ["date", "direction", "number", "account", "disposition", "duration", "price"],
                    "No calls yet.",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )


def _pager(page: rx.Var, pages: rx.Var, handler) -> rx.Component:  # noqa: ANN001
    return rx.hstack(
        client_button("Previous", size="1", on_click=handler(-1), disabled=page <= 1),
        rx.text("Page ", page, " of ", pages, size="2"),
        client_button("Next", size="1", on_click=handler(1), disabled=page >= pages),
        align="center",
    )


def balance() -> rx.Component:
    """The balance and the transaction history."""
    return client_layout(
        rx.vstack(
            rx.heading("Balance", size="6"),
            _balance_figures(),
            client_panel(
                "Transaction history",
                _table(
                    ["Date", "Type", "Description", "Amount"],
                    ClientState.transactions,
                    ["date", "type", "description", "amount"],
                    "No transactions yet.",
                ),
                _pager(ClientState.tx_page, ClientState.tx_pages, ClientState.tx_next),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )


def calls() -> rx.Component:
    """The call history, newest first, in the client's time zone."""
    return client_layout(
        rx.vstack(
            rx.heading("Call history", size="6"),
            client_panel(
                "Calls",
                rx.text(ClientState.call_total, " calls", size="2"),
                _table(
                    [
                        "Date",
                        "Direction",
                        "Caller ID",
                        "Destination",
                        "Sub-account",
                        "Result",
                        "Duration",
                        "Rate",
                        "Price",
                    ],
                    ClientState.call_rows,
                    [
                        "date",
                        "direction",
                        "callerid",
                        "destination",
                        "account",
                        "disposition",
                        "duration",
                        "rate",
                        "price",
                    ],
                    "No calls yet.",
                ),
                _pager(ClientState.call_page, ClientState.call_pages, ClientState.calls_next),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )


def services() -> rx.Component:
    """The client's sub-accounts and phone numbers."""
    sub_headers = ["Sub-account", "Description", "Package", "Status"]
    sub_cells = ["account", "description", "package", "status"]
    return client_layout(
        rx.vstack(
            rx.heading("Services", size="6"),
            rx.cond(
                ClientState.services_hidden,
                rx.text("Your provider manages your services for you."),
                rx.vstack(
                    client_panel(
                        "Sub-accounts",
                        rx.cond(
                            ClientState.show_sip_password,
                            _table(
                                sub_headers + ["SIP/IAX password"],
                                ClientState.subaccounts,
                                sub_cells + ["password"],
                                "No sub-accounts yet.",
                            ),
                            _table(sub_headers, ClientState.subaccounts, sub_cells, "No sub-accounts yet."),
                        ),
                        width="100%",
                    ),
                    client_panel(
                        "Phone and fax numbers",
                        _table(
                            ["Number", "Type", "Rate centre", "Rings", "Monthly"],
                            ClientState.dids,
                            ["number", "kind", "rate_center", "routes_to", "monthly"],
                            "No numbers yet.",
                        ),
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
