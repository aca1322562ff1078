"""The Payment tab's card-payments card (Stripe keys, webhook URL); its state is state/settings/stripe_keys.py."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.settings.stripe_keys import StripeKeysState as K


def _err(key: str) -> rx.Component:
    return rx.cond(
        K.errors[key] != "", rx.text(K.errors[key], size="1", color="#b91c1c", id=f"err-{key}", role="alert")
    )


def _field(label: str, key: str, attr: str, value: rx.Var, placeholder: rx.Var | str = "", **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"f-{key}"),
        rx.input(
            value=value,
            on_change=lambda v: K.set_value(attr, v),
            id=f"f-{key}",
            placeholder=placeholder,
            width="100%",
            auto_complete="off",
            **props,
        ),
        _err(key),
        spacing="1",
        width="100%",
    )


def stripe_section() -> rx.Component:
    """Card payments through the reseller's own Stripe account."""
    saved = "saved (leave empty to keep)"
    return rx.card(
        rx.vstack(
            rx.heading("Card payments (Stripe)", size="3"),
            rx.text(
                "Your clients pay by card on Stripe's page, into your Stripe account, and can save a card for "
                "automatic top-up. Enter the keys from Developers → API keys, and add a webhook endpoint with the "
                "URL below for the events checkout.session.completed, checkout.session.async_payment_succeeded, "
                "checkout.session.expired, payment_intent.succeeded and payment_intent.payment_failed.",
                size="2",
            ),
            rx.text(
                rx.flex(
                    rx.switch(checked=K.enabled, on_change=K.set_enabled, id="f-stripe_enabled"),
                    "Accept card payments",
                    spacing="2",
                    align="center",
                ),
                as_="label",
                size="2",
            ),
            _field("Publishable key", "stripe_publishable_key", "publishable_key", K.publishable_key),
            _field(
                "Secret key",
                "stripe_secret_key",
                "secret_key",
                K.secret_key,
                rx.cond(K.has_secret, saved, "sk_live_…"),
                type="password",
            ),
            _field(
                "Webhook signing secret",
                "stripe_webhook_secret",
                "webhook_secret",
                K.webhook_secret,
                rx.cond(K.has_webhook_secret, saved, "whsec_…"),
                type="password",
            ),
            rx.vstack(
                rx.text("Webhook URL to register in Stripe", size="2", weight="medium"),
                rx.code(K.webhook_url, id="stripe-webhook-url"),
                spacing="1",
            ),
            rx.hstack(
                rx.button("Save card payments", on_click=K.save, id="save-stripe"),
                rx.cond(
                    K.notice != "",
                    rx.text(
                        K.notice,
                        size="2",
                        id="notice-stripe",
                        color=rx.cond(K.notice == "Saved.", "#15803d", "#b91c1c"),
                    ),
                ),
                align="center",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_mount=K.load,
        width="100%",
    )
