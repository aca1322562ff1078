"""The client's balance page: the figures, the deposit panel and the transaction history."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.card_payments import card_panel
from reseller_app.components.deposit import deposit_panel
from reseller_app.components.layout import client_layout, client_panel
from reseller_app.pages.portal.parts import balance_figures, portal_pager, portal_table, refused
from reseller_app.state.i18n import t
from reseller_app.state.portal.balance import BalanceState
from reseller_app.state.portal.shell import PortalState


def balance() -> rx.Component:
    """The balance and the transaction history."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Balance"), size="6"),
            rx.cond(
                PortalState.page_refused,
                refused(),
                rx.vstack(
                    balance_figures(),
                    deposit_panel(),
                    card_panel(),
                    client_panel(
                        t("Transaction history"),
                        portal_table(
                            [t("Date"), t("Type"), t("Description"), t("Amount")],
                            BalanceState.transactions,
                            ["date", "type", "description", "amount"],
                            t("No transactions yet."),
                            "transactions",
                        ),
                        portal_pager(BalanceState.page, BalanceState.pages, BalanceState.turn, "tx"),
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
