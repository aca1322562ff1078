"""A client's "Forgot your password?" and "Choose a new password" pages, in the reseller's brand."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.language import language_picker
from reseller_app.components.layout import brand_favicon
from reseller_app.services.access.security import PASSWORD_MIN
from reseller_app.state.i18n import t, t_format
from reseller_app.state.portal.reset import ResetState

B = ResetState.brand


def _button(label: rx.Var, elem_id: str) -> rx.Component:
    return rx.button(
        label,
        type="submit",
        size="3",
        width="100%",
        id=elem_id,
        disabled=~rx.State.is_hydrated,
        background=B["btn_primary_bg"],
        color=B["btn_primary_fg"],
    )


def _input(label: rx.Var, name: str, kind: str, **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=name),
        rx.input(name=name, id=name, type=kind, required=True, width="100%", size="3", **props),
        rx.cond(ResetState.errors.contains(name), rx.text(ResetState.errors[name], size="1", color="#b91c1c")),
        spacing="1",
        width="100%",
    )


def _login_link() -> rx.Component:
    return rx.hstack(
        rx.link(t("Back to sign in"), href=f"/r/{rx.State.rid}/login", color=B["color_link"], size="2", id="to-login"),
        language_picker(B["color_link"]),
        justify="between",
        width="100%",
        wrap="wrap",
        gap="1em",
    )


def _shell(*children: rx.Component) -> rx.Component:
    card = rx.cond(
        ResetState.available,
        rx.box(
            rx.vstack(
                rx.cond(
                    B["img_login_logo"] != "",
                    rx.image(src=B["img_login_logo"], max_height="80px", alt="", margin_x="auto"),
                ),
                rx.heading(B["title"], size="6", color=B["color_text"], overflow_wrap="anywhere"),
                *children,
                spacing="4",
            ),
            background=B["panel_bg"],
            color=B["panel_fg"],
            padding="2em",
            border_radius="10px",
            box_shadow="0 4px 20px rgba(0,0,0,0.12)",
            width="100%",
            max_width="400px",
        ),
        rx.box(
            rx.heading(t("This page is not available."), size="5"),
            rx.text(t("Ask your provider to reset your password."), color="gray"),
            padding="2em",
            background="white",
            border_radius="10px",
        ),
    )
    return rx.center(
        brand_favicon(B),
        card,
        min_height="100vh",
        padding="1em",
        background_color=B["color_background"],
        background_image=rx.cond(B["img_login_background"] != "", f"url({B['img_login_background']})", "none"),
        background_size="cover",
    )


def forgot() -> rx.Component:
    """Ask for a reset link by email."""
    return _shell(
        rx.text(t("Enter your email address and we will send you a link to choose a new password."), size="2"),
        rx.cond(ResetState.sent != "", rx.callout(ResetState.sent, icon="mail", color_scheme="green", id="sent")),
        rx.cond(
            ResetState.error != "",
            rx.callout(ResetState.error, icon="triangle-alert", color_scheme="red", role="alert", id="forgot-error"),
        ),
        rx.form(
            rx.vstack(
                _input(t("Email"), "email", "email", auto_complete="username"),
                _button(t("Send the link"), "send-link"),
                spacing="4",
            ),
            on_submit=ResetState.request,
            reset_on_submit=False,
        ),
        _login_link(),
    )


def reset() -> rx.Component:
    """Choose a new password with the emailed link."""
    return _shell(
        rx.cond(
            ResetState.done,
            rx.callout(
                t("Your password has been changed. You can sign in with it now."),
                icon="check",
                color_scheme="green",
                id="reset-done",
            ),
            rx.cond(
                ResetState.link_ok,
                rx.form(
                    rx.vstack(
                        _input(t("New password"), "password", "password", auto_complete="new-password", min_length=8),
                        rx.text(
                            t_format("At least {n} characters.", n=str(PASSWORD_MIN)),
                            size="1",
                            color="gray",
                            id="password-rule",
                        ),
                        _input(t("Repeat the new password"), "confirm", "password", auto_complete="new-password"),
                        _button(t("Change my password"), "change-password"),
                        spacing="4",
                    ),
                    on_submit=ResetState.change_password,
                    reset_on_submit=False,
                ),
                rx.callout(
                    rx.cond(
                        ResetState.errors.contains("token"),
                        ResetState.errors["token"],
                        t("This link is not valid or has expired. Ask for a new one."),
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    id="bad-link",
                ),
            ),
        ),
        _login_link(),
    )
