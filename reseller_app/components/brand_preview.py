"""A preview of the client's login page and dashboard drawn from a draft brand (a dict Var), before it is saved."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import rich_text


def _button(brand: rx.Var, kind: str, label: str, **props) -> rx.Component:  # noqa: ANN003
    return rx.el.button(
        label,
        type="button",
        style={
            "background": brand[f"btn_{kind}_bg"],
            "color": brand[f"btn_{kind}_fg"],
            "border": "none",
            "border_radius": "6px",
            "padding": "0.35em 0.9em",
            "font_size": "13px",
            "font_weight": "500",
        },
        **props,
    )


def _panel(brand: rx.Var, title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        rx.box(rx.text(title, weight="bold", size="1"), background=brand["panel_header_bg"], padding="0.35em 0.75em"),
        rx.box(*children, padding="0.75em"),
        background=brand["panel_bg"],
        color=brand["panel_fg"],
        border_radius="6px",
        overflow="hidden",
        box_shadow="0 1px 2px rgba(0,0,0,0.08)",
        flex="1",
        min_width="140px",
    )


def _fake_input(label: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1"),
        rx.box(height="26px", width="100%", border="1px solid #d1d5db", border_radius="4px", background="white"),
        spacing="1",
        width="100%",
    )


def login_preview(brand: rx.Var) -> rx.Component:
    """The client's login page in the draft brand."""
    return rx.center(
        rx.vstack(
            rx.cond(
                brand["img_login_logo"] != "",
                rx.image(src=brand["img_login_logo"], max_height="48px", alt="", id="preview-login-logo"),
            ),
            rx.text(brand["title"], weight="bold", size="4", color=brand["color_text"], overflow_wrap="anywhere"),
            _fake_input("Email"),
            _fake_input("Password"),
            _button(brand, "primary", "Sign in", id="preview-login-button", width="100%"),
            # As on the real login page: only when Display elements shows the link.
            rx.cond(
                brand["show_forgot_password"] == "1",  # noqa: S105 - a flag, not a password
                rx.text("Forgot your password?", size="1", color=brand["color_link"], id="preview-forgot"),
            ),
            background=brand["panel_bg"],
            color=brand["panel_fg"],
            padding="1.25em",
            border_radius="8px",
            box_shadow="0 4px 20px rgba(0,0,0,0.12)",
            width="100%",
            max_width="260px",
            spacing="2",
            align="center",
        ),
        background_color=brand["color_background"],
        background_image=rx.cond(brand["img_login_background"] != "", f"url({brand['img_login_background']})", "none"),
        background_size="cover",
        padding="1.5em 1em",
        min_height="300px",
        width="100%",
        border_radius="8px",
        border="1px solid #e5e7eb",
        id="preview-login",
    )


def dashboard_preview(brand: rx.Var, welcome_html: rx.Var | str = "") -> rx.Component:
    """The client's dashboard in the draft brand: navigation bar, welcome text, panels and every button kind."""
    nav_link = {"color": brand["color_navbar_text"], "font_size": "13px"}
    return rx.box(
        rx.flex(
            rx.hstack(
                rx.cond(brand["img_header"] != "", rx.image(src=brand["img_header"], height="24px", alt="")),
                rx.text(
                    brand["title"], weight="bold", size="3", color=brand["color_navbar_text"], overflow_wrap="anywhere"
                ),
                align="center",
            ),
            rx.spacer(),
            rx.hstack(
                rx.text("Dashboard", style=nav_link),
                rx.text("Balance", style=nav_link),
                _button(brand, "exit", "Log out"),
                align="center",
                spacing="3",
            ),
            background=brand["color_navbar"],
            padding="0.5em 1em",
            align="center",
            wrap="wrap",
            gap="0.5em",
        ),
        rx.vstack(
            rx.cond(
                brand["img_content_logo"] != "",
                rx.image(src=brand["img_content_logo"], max_height="40px", alt=""),
            ),
            rx.text("Hello, Jane", weight="bold", size="4"),
            rich_text(welcome_html) if welcome_html is not None else rx.fragment(),
            rx.flex(
                _panel(brand, "Balance", rx.text("$42.00", weight="bold", size="5")),
                _panel(brand, "Spent this month", rx.text("$7.35", weight="bold", size="5")),
                gap="0.75em",
                wrap="wrap",
                width="100%",
            ),
            rx.text("See your ", rx.el.a("call history", href="#", style={"color": brand["color_link"]}), size="2"),
            rx.flex(
                _button(brand, "primary", "Primary", id="preview-primary"),
                _button(brand, "success", "Success", id="preview-success"),
                _button(brand, "exit", "Exit", id="preview-exit"),
                _button(brand, "delete", "Delete", id="preview-delete"),
                gap="0.5em",
                wrap="wrap",
            ),
            padding="1em",
            spacing="3",
            width="100%",
        ),
        background=brand["color_background"],
        color=brand["color_text"],
        border_radius="8px",
        border="1px solid #e5e7eb",
        overflow="hidden",
        id="preview-dashboard",
    )


def brand_preview(brand: rx.Var, welcome_html: rx.Var | str = "") -> rx.Component:
    """Both previews side by side (stacked on narrow screens)."""
    return rx.grid(
        rx.vstack(rx.text("Login page", size="2", weight="medium"), login_preview(brand), width="100%"),
        rx.vstack(
            rx.text("Dashboard", size="2", weight="medium"), dashboard_preview(brand, welcome_html), width="100%"
        ),
        columns=rx.breakpoints(initial="1", lg="2"),
        gap="1em",
        width="100%",
    )
