"""The language picker of a client portal: one link per language the reseller enabled (none when only one)."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var, VarData

from reseller_app.state.i18n import I18nState, t


class DocumentLanguage(rx.Fragment):
    """Nothing visible: keeps the page's `<html lang>` on the tab's language (fr-CA, es-MX, en), so screen
    readers, the browser's spelling and hyphenation and its translate offer follow the portal's language.

    A React effect compiled into the page's own module (no inline script and no eval, which the portal's
    Content-Security-Policy refuses), run again whenever the language changes.
    """

    def add_hooks(self) -> list[str | Var]:
        lang = I18nState.lang
        code = lang._js_expr
        effect = (
            "useEffect(() => { if (typeof document !== 'undefined') "
            f"{{ document.documentElement.lang = String({code} || 'en').replace('_', '-'); }} }}, [{code}]);"
        )
        imports = VarData(imports={"react": [rx.ImportVar(tag="useEffect")]})
        return [Var(_js_expr=effect, _var_data=VarData.merge(lang._get_all_var_data(), imports))]


document_language = DocumentLanguage.create


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
    return rx.fragment(document_language(), _links(color, handler))


def _links(color: rx.Var | str, handler: rx.event.EventHandler) -> rx.Component:
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
