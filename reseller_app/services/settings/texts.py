"""The reseller's own texts (welcome text, payment instructions, email templates) in each portal language.

The columns of ResellerSettings hold the texts in the portal's default language; `translations` holds the other
languages' versions ({"fr_CA": {"welcome_html": "..."}}). A language without its own version falls back to the
default language's text, except a text the reseller never changed (the portal's built-in wording), which comes
from the catalogues in the reader's language.
"""

from __future__ import annotations

from reseller_app import i18n
from reseller_app.models import Client, ResellerSettings
from reseller_app.services.settings.branding import portal_languages

# The texts a reseller writes that a client reads (one version per enabled language).
LOCALIZED = (
    "welcome_html",
    "payment_instructions",
    "low_balance_subject",
    "low_balance_body",
    "reset_url_subject",
    "reset_url_body",
    "reset_done_subject",
    "reset_done_body",
    "signup_wait_subject",
    "signup_wait_body",
)
# The built-in wording of each (the model's defaults, which are catalogue message ids).
BUILT_IN = {f: str(getattr(ResellerSettings(reseller_id=0), f)) for f in LOCALIZED}


def enabled_languages(s: ResellerSettings) -> list[str]:
    """The languages a portal's clients may pick, the default one first."""
    codes, default = portal_languages(s)
    return [default, *[c for c in codes.split(",") if c != default]]


def language_for(client: Client | None, s: ResellerSettings) -> str:
    """The language to write to a client in: their stored choice, else the current request's (the page they
    used), else the portal's default; always one the reseller enabled."""
    enabled = enabled_languages(s)
    if client is not None and client.language in enabled:
        return client.language
    current = i18n.current_language()
    return current if current != i18n.SOURCE and current in enabled else enabled[0]


def recipient_language(client: Client, s: ResellerSettings) -> str:
    """The language to write to a client about something another person or the system did (a text received, a
    card declined): their stored choice, else the portal's default; never the language of whoever caused it."""
    with i18n.use_language(i18n.SOURCE):
        return language_for(client, s)


def text(s: ResellerSettings, field: str, lang: str | None = None) -> str:
    """A reseller text in `lang` (default: the current language), falling back as the module says."""
    lang = lang or i18n.current_language()
    own = ((s.translations or {}).get(lang) or {}).get(field)
    if own:
        return str(own)
    base = str(getattr(s, field))
    if base == BUILT_IN.get(field):
        with i18n.use_language(lang):
            return i18n.gettext(base)
    return base
