"""The two-factor sign-in panel of a login (TwoFactorPanel's state): set up with a QR code, confirm, the recovery
codes shown once, turn off with the password and a code. The Staff page and the client portal's Security page draw
it with their own buttons (the reseller's plain ones, the portal's brand colours)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from reseller_app.components.forms import field_error
from reseller_app.state.i18n import t

Button = Callable[..., rx.Component]


def _plain_button(label: str | rx.Var, kind: str = "primary", **props: object) -> rx.Component:
    return rx.button(label, variant="soft" if kind != "primary" else "solid", **props)


def two_factor_panel(S: type[rx.State], button: Button = _plain_button) -> rx.Component:  # noqa: N803 - a state class
    """What the login sees of its own two-factor sign-in (ids `tfa-*`, errors `err-form|code|disable`)."""
    return rx.vstack(
        rx.cond(
            S.on,
            rx.vstack(
                rx.text(t("On: signing in asks for a code from your authenticator app."), id="tfa-on"),
                rx.cond(
                    S.codes.length() > 0,
                    rx.vstack(
                        rx.text(t("Recovery codes (each works once; shown only now, keep them safe):"), weight="bold"),
                        # Plain preformatted text (no syntax colours on codes; no highlighter in the bundle).
                        rx.el.pre(
                            S.codes.join("\n"),
                            id="tfa-codes",
                            font_family="monospace",
                            padding="0.75em 1em",
                            border_radius="6px",
                            background="rgba(0, 0, 0, 0.05)",
                            margin="0",
                        ),
                    ),
                ),
                rx.form(
                    rx.flex(
                        rx.input(name="password", type="password", placeholder=t("Password"), id="tfa-off-password"),
                        rx.input(name="code", placeholder=t("Code"), id="tfa-off-code"),
                        button(t("Turn off"), "exit", type="submit", id="tfa-off"),
                        spacing="2",
                        wrap="wrap",
                    ),
                    on_submit=S.disable,
                ),
            ),
            rx.cond(
                S.qr != "",
                rx.vstack(
                    rx.text(t("Scan this code with your authenticator app, then enter the code it shows.")),
                    rx.image(src=S.qr, alt=t("QR code"), width="200px", id="tfa-qr"),
                    rx.text(t("Or enter this key:"), " ", rx.code(S.secret, id="tfa-secret"), size="2"),
                    rx.form(
                        rx.flex(
                            rx.input(name="code", placeholder=t("6-digit code"), id="tfa-code"),
                            button(t("Confirm"), type="submit", id="tfa-confirm"),
                            spacing="2",
                        ),
                        on_submit=S.confirm,
                    ),
                ),
                button(t("Set up two-factor sign-in"), on_click=S.begin, id="tfa-begin"),
            ),
        ),
        *[field_error(S.errors, k) for k in ("form", "code", "disable")],
        spacing="3",
    )
