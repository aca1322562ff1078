"""The Manage page's card payments card: refund in full or in part; its state is state/clients/card_refunds.py."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.clients.card_refunds import CardRefundState as R


def _row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(p["date"]),
        rx.table.cell(p["kind"]),
        rx.table.cell(p["amount"]),
        rx.table.cell(
            rx.cond(
                p["refundable"] == "1",
                rx.flex(
                    rx.input(
                        placeholder=p["value"],
                        on_change=lambda v: R.set_amount(p["id"], v),
                        width="7em",
                        size="1",
                        aria_label="Amount to refund (empty: all)",
                        id="refund-amount-" + p["id"],
                    ),
                    rx.button(
                        "Refund", size="1", color_scheme="red", on_click=R.refund(p["id"]), id="refund-" + p["id"]
                    ),
                    gap="0.5em",
                    align="center",
                ),
                rx.text("Refunded " + p["refunded"], size="1"),
            )
        ),
    )


def card_refunds_card() -> rx.Component:
    """The client's card payments (shown when it has any)."""
    return rx.box(
        rx.cond(
            R.payments.length() > 0,
            rx.card(
                rx.vstack(
                    rx.text("Card payments", weight="bold"),
                    rx.text(
                        "A refund goes back to the card through Stripe and comes off the balance: in full it is the "
                        "payment's reversal, in part a charge. One refund per payment.",
                        size="1",
                        color="gray",
                    ),
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(*[rx.table.column_header_cell(h) for h in ("Date", "Type", "Amount", "")])
                            ),
                            rx.table.body(rx.foreach(R.payments, _row)),
                            size="1",
                            width="100%",
                            id="card-payments",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.cond(
                        R.error != "", rx.text(R.error, color="#b91c1c", size="2", role="alert", id="refund-error")
                    ),
                    rx.cond(R.notice != "", rx.text(R.notice, color="#15803d", size="2", id="refund-notice")),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        on_mount=R.load,
        width="100%",
    )
