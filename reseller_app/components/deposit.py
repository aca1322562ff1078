"""The deposit panel for the client's balance page (the reseller's amounts, paid through PayPal)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_panel
from reseller_app.i18n import N_
from reseller_app.state.i18n import t
from reseller_app.state.portal.deposit import DepositState

_OUTCOMES = {
    "completed": (N_("Thank you: your deposit was added to your balance."), "green"),
    "pending": (N_("Your payment is being confirmed; your balance will update shortly."), "blue"),
    "cancelled": (N_("The deposit was cancelled; nothing was charged."), "gray"),
    "failed": (N_("The payment could not be matched to your deposit. Please contact us."), "red"),
}


def deposit_panel() -> rx.Component:
    """Amount buttons that start a PayPal deposit; shown only when the reseller takes PayPal deposits.

    Load it with `DepositState.load` in the page's on_load.
    """
    outcome = rx.match(
        DepositState.outcome,
        *[
            (k, rx.callout(t(msg), color_scheme=color, id="deposit-outcome", width="100%"))
            for k, (msg, color) in _OUTCOMES.items()
        ],
        rx.fragment(),
    )
    return rx.fragment(
        outcome,
        rx.cond(
            DepositState.enabled,
            client_panel(
                t("Add funds"),
                rx.vstack(
                    rx.text(t("Choose an amount to pay with PayPal."), size="2"),
                    rx.flex(
                        rx.foreach(
                            DepositState.amounts,
                            lambda a: client_button(
                                a["label"],
                                "success",
                                on_click=DepositState.start(a["value"]),
                                id=f"deposit-{a['value']}",
                            ),
                        ),
                        gap="0.5em",
                        wrap="wrap",
                    ),
                    rx.cond(DepositState.error != "", rx.text(DepositState.error, color="red", size="2", role="alert")),
                    spacing="2",
                ),
                width="100%",
            ),
        ),
    )
