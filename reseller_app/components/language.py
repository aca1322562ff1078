"""The language picker of a client portal: one link per language the reseller enabled (none when only one)."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.i18n import I18nState, t


def _choice(choice: rx.Var, color: rx.Var | str, pick: rx.event.EventHandler) -> rx.Component:
    current = choice["code"] == I18nState.lang
    return rx.el.button(
        choice["name"],
        type="button",
        on_click=pick(choice["code"]),
        lang=choice["code"].to(str).replace("_", "-"),
        aria_pressed=rx.cond(current, "true", "false"),
        id="lang-" + choice["code"].to(str),
        style={
            "color": color,
            "font_weight": rx.cond(current, "700", "400"),
            "text_decoration": rx.cond(current, "none", "underline"),
            "background": "none",
            "border": "none",
            "padding": "0",
            "cursor": "pointer",
            "font_size": "0.875rem",
        },
    )


def language_picker(color: rx.Var | str = "inherit", pick: rx.event.EventHandler | None = None) -> rx.Component:
    """The enabled languages, each named in itself (English, Français, Español); the current one in bold.

    `pick` handles a choice: by default the tab's (a cookie, before login); the portal stores the client's.
    """
    handler = pick if pick is not None else I18nState.pick
    return rx.cond(
        I18nState.choices.length() > 1,
        rx.el.nav(
            rx.flex(
                rx.foreach(I18nState.choices, lambda c: _choice(c, color, handler)),
                gap="0.75em",
                wrap="wrap",
                justify="center",
            ),
            aria_label=t("Language"),
            id="language-picker",
        ),
    )
