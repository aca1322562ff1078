"""The language of a browser tab: which one it shows, its texts for the components, and the language picker.

Components write `t("Sign in")`: the browser shows `I18nState.texts["Sign in"]`, or the English message id when
the language has no text for it (English itself sends no texts at all). `t_format("{amount} due", amount=var)`
fills values into a translated text. Which language: see `settle` (stored choice, cookie, browser, default).
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from reseller_app import i18n

# How long the login page remembers a visitor's language (a year).
_COOKIE_AGE = 365 * 24 * 3600


def portal_languages(brand: dict[str, str] | None) -> list[str]:
    """The languages a portal's clients may pick (from its published brand), English when unknown."""
    codes = [c for c in (brand or {}).get("languages", "").split(",") if i18n.normalize(c)]
    return codes or [i18n.SOURCE]


class I18nState(rx.State):
    """The tab's language, its texts (message id -> text), and the languages its portal offers."""

    lang: str = i18n.SOURCE
    texts: dict[str, str] = {}
    # The languages the picker offers: [{"code": "fr_CA", "name": "Français"}, ...] (only when more than one).
    choices: list[dict[str, str]] = []
    chosen: str = rx.Cookie("", name="rp_lang", same_site="lax", max_age=_COOKIE_AGE)

    def _show(self, code: str) -> None:
        if code != self.lang or (code != i18n.SOURCE and not self.texts):
            self.lang = code
            self.texts = i18n.texts(code)

    def _offer(self, enabled: list[str]) -> None:
        offer = [{"code": c, "name": i18n.language_name(c)} for c in enabled] if len(enabled) > 1 else []
        if offer != self.choices:
            self.choices = offer

    def settle(self, brand: dict[str, str] | None, stored: str = "") -> str:
        """Pick and show the language of a portal page (see i18n.choose); the caller speaks it (use_language)."""
        enabled = portal_languages(brand)
        code = i18n.choose(
            enabled,
            (brand or {}).get("default_language", i18n.SOURCE),
            stored=stored,
            cookie=self.chosen,
            accept_language=str(self.router.headers.accept_language or ""),
        )
        self._offer(enabled)
        self._show(code)
        return code

    def english(self) -> None:
        """The reseller's own pages are in English."""
        self._show(i18n.SOURCE)

    @rx.event
    def pick(self, code: str) -> None:
        """The visitor chose a language on the login page (remembered in a cookie) or in the portal's menu."""
        # `choices` is a state var a browser can set: the code must also be a language the catalogues hold.
        if i18n.normalize(code) != code or not any(c["code"] == code for c in self.choices):
            return
        self.chosen = code
        self._show(code)


async def tab_language(state: rx.State) -> str:
    """The language this browser tab shows (for `with i18n.use_language(...)` around an event's work)."""
    return (await state.get_state(I18nState)).lang


def t(message: str) -> rx.Var:
    """A message id, shown in the tab's language (the English id itself when there is no text for it)."""
    texts = I18nState.texts
    key = json.dumps(message)
    return rx.Var(_js_expr=f"({texts!s}?.[{key}] ?? {key})", _var_type=str, _var_data=texts._get_all_var_data()).to(str)


def t_format(message: str, **values: Any) -> rx.Var:  # noqa: ANN401
    """A translated message with `{name}` placeholders filled with values (vars or plain strings)."""
    out = t(message)
    for name, value in values.items():
        out = out.replace("{" + name + "}", value if isinstance(value, rx.Var) else str(value))
    return out
