"""Manage client: connected services and routing, assign a package, payments and charges, history."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.forms import data_table, field_error
from reseller_app.components.layout import reseller_layout
from reseller_app.components.pager import pager
from reseller_app.pages.clients.card_refunds import card_refunds_card
from reseller_app.pages.clients.parts import status_badge
from reseller_app.pages.invoicing.invoice_list import client_invoices_card
from reseller_app.state.clients.manage import ManageState

CLIENTS = routes.RESELLER_CLIENTS


def _sub_row(row: rx.Var) -> rx.Component:
    m = ManageState
    return rx.table.row(
        rx.table.cell(
            rx.link(row["account"], href=CLIENTS + "/" + m.cid + "/subaccount/" + row["id"]),
        ),
        rx.table.cell(row["package"]),
        rx.table.cell(row["numbers"]),
        rx.table.cell(rx.cond(row["blocked"] != "", rx.badge("Blocked", color_scheme="red"), rx.badge("Active"))),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row["blocked"] != "",
                    rx.button("Unblock", size="1", variant="soft", on_click=m.block(row["id"], False)),
                    rx.button("Block", size="1", variant="soft", on_click=m.block(row["id"], True)),
                ),
                rx.button(
                    "Unconnect",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=m.unconnect_sub(row["id"]),
                ),
                spacing="2",
            )
        ),
    )


def _number_section(
    title: str, add: str, query: str, rows: rx.Var, add_id: str, variant: str = "solid"
) -> tuple[rx.Component, ...]:
    """A heading with its "Add" link, and the connected numbers of one kind (voice or fax)."""
    return (
        rx.flex(
            rx.text(title, weight="bold"),
            rx.spacer(),
            rx.link(
                rx.button(rx.icon("plus", size=14), add, size="1", id=add_id, variant=variant, white_space="nowrap"),
                href=CLIENTS + "/" + ManageState.cid + "/numbers" + query,
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            rows.length() > 0,
            data_table(
                ["Number", "Location", "Routing", "Monthly", "Per minute", ""],
                rx.table.body(rx.foreach(rows, _did_row)),
            ),
            rx.text(f"No {'fax' if query else 'phone'} number connected.", size="2"),
        ),
    )


def _did_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["display"], white_space="nowrap"),
        rx.table.cell(row["location"]),
        rx.table.cell(row["route"]),
        rx.table.cell(row["monthly"]),
        rx.table.cell(row["per_minute"]),
        rx.table.cell(
            rx.button(
                "Unconnect",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ManageState.unconnect_did(row["id"]),
            )
        ),
    )


def _history_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["date"]),
        rx.table.cell(row["kind"]),
        rx.table.cell(
            rx.text(
                row["description"],
                rx.cond(row["reversed"] != "", rx.badge("deleted", color_scheme="gray", margin_left="0.5em")),
                text_decoration=rx.cond(row["reversed"] != "", "line-through", "none"),
            )
        ),
        rx.table.cell(rx.text(row["amount"], color=rx.cond(row["negative"] != "", "red", "green"))),
        rx.table.cell(
            rx.cond(
                row["can_delete"] != "",
                rx.button(
                    "Delete", size="1", variant="ghost", color_scheme="red", on_click=ManageState.reverse(row["id"])
                ),
            )
        ),
        class_name="history-row",
    )


def client_manage() -> rx.Component:
    """Manage client: connected services and routing, assign a package, payments and charges, history."""
    m = ManageState
    # Until this client's data is in, nothing of the client opened before shows (the state outlives the page).
    loaded = m.cid == rx.State.router.page.params.to(dict)["client_id"].to(str)
    return reseller_layout(
        "Manage client",
        rx.cond(loaded, _manage_body(), rx.center(rx.spinner(size="3"), padding="3em", id="manage-loading")),
    )


def _manage_body() -> rx.Component:
    m = ManageState
    info = m.info
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.text(info["name"], " · ", info["email"], weight="bold", size="4"),
                rx.hstack(
                    rx.box(status_badge(info["status"]), id="client-status"),
                    rx.badge(info["balance_management"], variant="outline"),
                    rx.text("Balance", size="2", color="gray"),
                    rx.text(
                        info["balance"],
                        id="client-balance",
                        weight="bold",
                        color=rx.cond(info["balance_negative"] != "", "red", "inherit"),
                    ),
                    align="center",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.hstack(
                rx.link(rx.button("Edit", variant="soft"), href=CLIENTS + "/" + m.cid + "/edit"),
                rx.button("Login to client's interface", variant="soft", color_scheme="gray", on_click=m.login_as),
                wrap="wrap",
            ),
            width="100%",
            align="center",
            wrap="wrap",
            gap="1em",
        ),
        rx.cond(m.notice != "", rx.callout(m.notice, color_scheme="green", size="1", width="100%")),
        field_error(m.errors, "services"),
        rx.cond(
            m.errors.contains("subaccount"),
            rx.callout(m.errors["subaccount"], color_scheme="red", size="1", width="100%", id="err-subaccount"),
        ),
        field_error(m.errors, "carrier"),
        # Sub-accounts and packages
        rx.card(
            rx.vstack(
                rx.text("Sub-accounts and packages", weight="bold"),
                rx.cond(
                    m.subs.length() > 0,
                    data_table(
                        ["Sub-account", "Package", "Numbers", "Carrier", ""],
                        rx.table.body(rx.foreach(m.subs, _sub_row)),
                    ),
                    rx.text("No sub-account yet. A package is assigned through a sub-account.", size="2"),
                ),
                rx.flex(
                    rx.text("Assign a package to", size="2"),
                    rx.select.root(
                        rx.select.trigger(id="assign-to"),
                        rx.select.content(
                            rx.select.item("A new sub-account", value="new"),
                            rx.foreach(m.choices, lambda c: rx.select.item(c["label"], value=c["id"])),
                        ),
                        value=m.assign_to,
                        on_change=m.set_assign_to,
                    ),
                    rx.button("Next", on_click=m.assign_package, id="assign-package"),
                    gap="0.75em",
                    align="center",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        # Numbers
        rx.card(
            rx.vstack(
                *_number_section("Phone numbers (DIDs)", "Add phone numbers", "", m.numbers, "add-numbers"),
                *_number_section("Fax numbers", "Add fax numbers", "?kind=fax", m.fax, "add-fax-numbers", "soft"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        # Payments and charges
        rx.card(
            rx.vstack(
                rx.text("Add a payment or a charge (dated today)", weight="bold"),
                rx.form(
                    rx.flex(
                        rx.el.input(type="hidden", name="token", value=m.pay_token),
                        rx.select(
                            ["payment", "charge"],
                            value=m.pay_kind,
                            on_change=m.set_pay_kind,
                            id="pay-kind",
                        ),
                        rx.box(
                            rx.input(name="amount", placeholder="Amount, e.g. 25.00", id="pay-amount"),
                            field_error(m.errors, "amount"),
                        ),
                        rx.box(
                            rx.input(
                                name="description",
                                placeholder="Description",
                                id="pay-description",
                                min_width="220px",
                            ),
                            field_error(m.errors, "description"),
                        ),
                        rx.button("Add", type="submit", id="pay-submit"),
                        gap="0.75em",
                        align="start",
                        wrap="wrap",
                    ),
                    on_submit=m.post,
                    reset_on_submit=False,
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        client_invoices_card(),
        card_refunds_card(),
        # History
        rx.card(
            rx.vstack(
                rx.text("Transaction history", weight="bold"),
                rx.text("Deleting a transaction adds its reversal; both stay in the history.", size="1", color="gray"),
                field_error(m.errors, "transaction"),
                rx.cond(
                    m.history.length() > 0,
                    data_table(
                        ["Date", "Type", "Description", "Amount", ""],
                        rx.table.body(rx.foreach(m.history, _history_row), id="history"),
                    ),
                    rx.text("No transactions yet.", size="2"),
                ),
                pager(m.hpage, m.hpages, m.turn, prefix="history", labels=("Newer", "Older")),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
