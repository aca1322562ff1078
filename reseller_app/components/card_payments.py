"""The card panel of the client's balance page: pay by card, a saved card and automatic top-up (Stripe)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_panel
from reseller_app.i18n import N_
from reseller_app.state.i18n import t
from reseller_app.state.portal.cards import CardState as C

_OUTCOMES = {
    "saved": (N_("Your card was saved for automatic top-up."), "green"),
    "pending": (N_("Stripe is still confirming; please look again in a minute."), "blue"),
    "cancelled": (N_("Nothing was saved."), "gray"),
}


def _err(key: str) -> rx.Component:
    return rx.cond(C.errors[key] != "", rx.text(C.errors[key], color="red", size="1", role="alert", id=f"err-{key}"))


def _topup() -> rx.Component:
    return rx.vstack(
        rx.text(t("Automatic top-up"), weight="bold", size="2"),
        rx.cond(
            C.topup_paused,
            rx.callout(
                t("The last automatic top-up was declined: it is paused until you save a card again."),
                color_scheme="red",
                id="topup-paused",
                width="100%",
            ),
        ),
        rx.text(t("When a charge takes my balance below"), size="2"),
        rx.flex(
            rx.input(
                value=C.topup_threshold,
                on_change=lambda v: C.set_draft("topup_threshold", v),
                id="topup-threshold",
                placeholder="10.00",
                width="8em",
                aria_label=t("Threshold"),
            ),
            rx.text(t("charge my card"), size="2"),
            rx.select.root(
                rx.select.trigger(id="topup-amount", aria_label=t("Top-up amount")),
                rx.select.content(rx.foreach(C.amounts, lambda a: rx.select.item(a["label"], value=a["value"]))),
                value=C.topup_amount,
                on_change=lambda v: C.set_draft("topup_amount", v),
            ),
            gap="0.5em",
            align="center",
            wrap="wrap",
        ),
        _err("topup_threshold"),
        _err("topup_amount"),
        _err("topup_enabled"),
        rx.flex(
            client_button(t("Turn on"), "success", on_click=C.save_topup(True), id="topup-on"),
            rx.cond(
                C.topup_enabled, client_button(t("Turn off"), "exit", on_click=C.save_topup(False), id="topup-off")
            ),
            rx.cond(
                C.topup_enabled,
                rx.text(t("On"), size="2", color="green", id="topup-state"),
                rx.text(t("Off"), size="2", id="topup-state"),
            ),
            gap="0.5em",
            align="center",
        ),
        spacing="2",
        width="100%",
    )


def card_panel() -> rx.Component:
    """Shown only when the reseller takes card payments; loads itself when mounted."""
    outcome = rx.match(
        C.card_outcome,
        *[(k, rx.callout(t(m), color_scheme=c, id="card-outcome", width="100%")) for k, (m, c) in _OUTCOMES.items()],
        rx.fragment(),
    )
    return rx.box(
        outcome,
        rx.cond(
            C.enabled,
            client_panel(
                t("Pay by card"),
                rx.vstack(
                    rx.text(t("Choose an amount to pay by card."), size="2"),
                    rx.flex(
                        rx.foreach(
                            C.amounts,
                            lambda a: client_button(
                                a["label"], "success", on_click=C.pay(a["value"]), id=f"card-{a['value']}"
                            ),
                        ),
                        gap="0.5em",
                        wrap="wrap",
                    ),
                    rx.cond(C.error != "", rx.text(C.error, color="red", size="2", role="alert", id="card-error")),
                    rx.divider(),
                    rx.cond(
                        C.card_label != "",
                        rx.flex(
                            rx.text(t("Saved card:"), " ", rx.text.strong(C.card_label, id="card-label"), size="2"),
                            client_button(t("Replace card"), "primary", on_click=C.save_card, id="card-save", size="1"),
                            client_button(t("Remove"), "delete", on_click=C.remove_card, id="card-remove", size="1"),
                            gap="0.5em",
                            align="center",
                            wrap="wrap",
                        ),
                        client_button(
                            t("Save a card for automatic top-up"), "primary", on_click=C.save_card, id="card-save"
                        ),
                    ),
                    rx.cond(C.card_label != "", _topup()),
                    rx.cond(C.notice != "", rx.text(C.notice, size="2", id="card-notice")),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        on_mount=C.load,
        width="100%",
    )
