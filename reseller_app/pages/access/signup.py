"""A client's self-signup page in the reseller's brand: the fields the reseller chose."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.language import language_picker
from reseller_app.components.layout import brand_favicon
from reseller_app.services.access.security import PASSWORD_MIN
from reseller_app.state.access.signup import SignupState
from reseller_app.state.i18n import t, t_format


def _err(key: str | rx.Var) -> rx.Component:
    msg = SignupState.errors[key]
    return rx.cond(msg, rx.text(msg, size="1", color="#b91c1c", role="alert", id="err-" + rx.Var.create(key).to(str)))


def _input(label: rx.Var, name: str, kind: str = "text", required: bool | rx.Var = True) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"su-{name}"),
        rx.input(name=name, id=f"su-{name}", type=kind, required=required, width="100%"),
        _err(name),
        spacing="1",
        width="100%",
    )


def _field(f: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(f["label"], rx.cond(f["required"] == "1", " *", ""), as_="label", size="2", weight="medium"),
        rx.input(name=f["key"], id="su-" + f["key"].to(str), required=f["required"] == "1", width="100%"),
        _err(f["key"]),
        spacing="1",
        width="100%",
    )


def signup_page() -> rx.Component:
    """Create an account (it waits for the reseller's activation)."""
    brand = SignupState.brand
    rid = rx.State.rid
    form = rx.form(
        rx.vstack(
            rx.cond(brand["img_login_logo"] != "", rx.image(src=brand["img_login_logo"], max_height="80px", alt="")),
            rx.heading(brand["title"], size="6", overflow_wrap="anywhere"),
            rx.text(t("Create an account"), size="3", weight="medium"),
            _input(t("Email") + " *", "email", "email"),
            _input(t("Password") + " *", "password", "password"),
            rx.text(
                t_format("At least {n} characters.", n=str(PASSWORD_MIN)), size="1", color="gray", id="password-rule"
            ),
            rx.foreach(SignupState.fields, _field),
            rx.button(
                t("Create account"),
                type="submit",
                width="100%",
                id="signup-submit",
                background=brand["btn_primary_bg"],
                color=brand["btn_primary_fg"],
            ),
            rx.link(t("Back to sign in"), href=f"/r/{rid}/login", size="2", color=brand["color_link"]),
            language_picker(brand["color_link"]),
            spacing="3",
        ),
        on_submit=SignupState.submit,
        reset_on_submit=False,
    )
    card = rx.box(
        rx.cond(
            SignupState.done != "",
            rx.vstack(
                rx.heading(brand["title"], size="6", overflow_wrap="anywhere"),
                rx.text(SignupState.done, id="signup-done"),
                rx.link(t("Back to sign in"), href=f"/r/{rid}/login", color=brand["color_link"]),
            ),
            form,
        ),
        background=brand["panel_bg"],
        color=brand["panel_fg"],
        padding="2em",
        border_radius="10px",
        box_shadow="0 4px 20px rgba(0,0,0,0.12)",
        width="100%",
        max_width="440px",
    )
    return rx.center(
        brand_favicon(brand),
        rx.cond(
            SignupState.available,
            card,
            rx.box(rx.heading(t("Sign-up is not available."), size="5"), padding="2em", background="white"),
        ),
        min_height="100vh",
        padding="1em",
        background_color=brand["color_background"],
        background_image=rx.cond(brand["img_login_background"] != "", f"url({brand['img_login_background']})", "none"),
        background_size="cover",
    )
