"""The reseller's login page and each reseller's white-label client login page."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.language import language_picker
from reseller_app.components.layout import brand_favicon, favicon
from reseller_app.i18n import N_
from reseller_app.state.access.login import LoginState
from reseller_app.state.i18n import t


def _field(label: str | rx.Var, name: str, kind: str = "text", **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=name),
        rx.input(name=name, id=name, type=kind, required=True, width="100%", size="3", **props),
        spacing="1",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
        LoginState.error != "",
        rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red", role="alert", id="login-error"),
    )


def _code_field() -> rx.Component:
    """The two-factor code, asked once the password was right for a login with two-factor sign-in."""
    return rx.cond(
        LoginState.need_code,
        rx.vstack(
            rx.text(t("Authentication code"), as_="label", size="2", weight="medium", html_for="code"),
            rx.input(name="code", id="code", auto_complete="one-time-code", input_mode="numeric", width="100%"),
            spacing="1",
            width="100%",
        ),
    )


# The auto-connect endpoint sends a fixed code (never text) back to the login page: ?e=<code>.
DIRECT_LOGIN_ERRORS = {
    "bad": N_("Incorrect email or password."),
    "locked": N_("Too many failed attempts. This login is locked for 15 minutes."),
    "wait": N_("Your account is awaiting activation."),
    "off": N_("This portal is not available."),
    "code": N_("This account uses two-factor sign-in: sign in here with your code."),
    "many": N_("Too many failed sign-ins from your address. Please try again in 15 minutes."),
}


def _direct_login_error() -> rx.Component:
    code = rx.State.router.page.params.to(dict)["e"].to(str)
    return rx.cond(
        (LoginState.error == "") & rx.Var.create(list(DIRECT_LOGIN_ERRORS)).contains(code),
        rx.callout(
            rx.match(code, *[(k, t(v)) for k, v in DIRECT_LOGIN_ERRORS.items()], ""),
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            id="direct-login-error",
        ),
    )


def reseller_login() -> rx.Component:
    """Reseller sign-in."""
    return rx.center(
        favicon(),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("Reseller portal"), size="6"),
                    rx.text(t("Sign in to manage your clients, packages and branding."), size="2", color="gray"),
                    _error(),
                    _field(t("Email"), "email", "email", auto_complete="username"),
                    _field(t("Password"), "password", "password", auto_complete="current-password"),
                    _code_field(),
                    rx.button(
                        t("Sign in"), type="submit", size="3", width="100%", id="submit", disabled=~rx.State.is_hydrated
                    ),
                    spacing="4",
                ),
                on_submit=LoginState.reseller_login,
                reset_on_submit=False,
            ),
            width="100%",
            max_width="400px",
            size="4",
        ),
        min_height="100vh",
        padding="1em",
        background="#f3f4f6",
    )


def client_login() -> rx.Component:
    """A client's sign-in, in its reseller's brand."""
    brand = LoginState.brand
    form = rx.form(
        rx.vstack(
            rx.cond(
                brand["img_login_logo"] != "",
                rx.image(src=brand["img_login_logo"], max_height="80px", alt="", margin_x="auto"),
            ),
            rx.heading(brand["title"], size="6", color=brand["color_text"], overflow_wrap="anywhere"),
            _error(),
            _direct_login_error(),
            _field(t("Email"), "email", "email", auto_complete="username"),
            _field(t("Password"), "password", "password", auto_complete="current-password"),
            _code_field(),
            rx.button(
                t("Sign in"),
                type="submit",
                size="3",
                width="100%",
                id="submit",
                disabled=~rx.State.is_hydrated,
                background=brand["btn_primary_bg"],
                color=brand["btn_primary_fg"],
            ),
            rx.flex(
                rx.cond(
                    brand["show_forgot_password"] == "1",  # noqa: S105 - a flag, not a password
                    rx.link(
                        t("Forgot your password?"),
                        href=f"/r/{rx.State.rid}/forgot",
                        size="2",
                        color=brand["color_link"],
                        id="forgot-link",
                    ),
                ),
                rx.cond(
                    brand["signup_enabled"] == "1",
                    rx.link(
                        t("Create an account"),
                        href=f"/r/{rx.State.rid}/signup",
                        size="2",
                        color=brand["color_link"],
                        id="signup-link",
                    ),
                ),
                justify="between",
                width="100%",
                gap="1em",
                wrap="wrap",
            ),
            language_picker(brand["color_link"]),
            spacing="4",
        ),
        on_submit=LoginState.client_login,
        reset_on_submit=False,
    )
    return rx.center(
        brand_favicon(brand),
        rx.cond(
            LoginState.portal_found,
            rx.box(
                form,
                background=brand["panel_bg"],
                color=brand["panel_fg"],
                padding="2em",
                border_radius="10px",
                box_shadow="0 4px 20px rgba(0,0,0,0.12)",
                width="100%",
                max_width="400px",
            ),
            rx.box(
                rx.heading(t("This portal is not available."), size="5"),
                rx.text(t("Check the address you were given."), color="gray"),
                padding="2em",
                background="white",
                border_radius="10px",
            ),
        ),
        min_height="100vh",
        padding="1em",
        background_color=brand["color_background"],
        background_image=rx.cond(brand["img_login_background"] != "", f"url({brand['img_login_background']})", "none"),
        background_size="cover",
    )
