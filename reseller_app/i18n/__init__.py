"""The client portal's languages: gettext catalogues (Babel) and the language of the current request.

Message ids are the English text (English is the source language). Each other language is a folder of
`locales/<lang>/LC_MESSAGES/<domain>.po` files (one per area, see domains.py), compiled to .mo by
`make catalogues`; a fourth language is a new folder, no code. At run time all domains of a language are merged
into one catalogue.

    from reseller_app.i18n import _, ngettext, use_language
    with use_language("fr_CA"):
        _("Sign in")                      # "Se connecter"
        ngettext("{n} call", "{n} calls", 3).format(n=3)

The current language lives in a ContextVar: `asyncio.to_thread` and `state.session.blocking` copy the context,
so a service called from an event handler speaks the language of that handler's client.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from reseller_app.i18n.domains import DOMAINS

LOCALES_DIR = Path(__file__).parent / "locales"
SOURCE = "en"  # the language of the message ids

_language: ContextVar[str] = ContextVar("language", default=SOURCE)


@cache
def languages() -> tuple[str, ...]:
    """Every language the portal speaks: English, then each folder of catalogues (fr_CA, es_MX, ...)."""
    folders = LOCALES_DIR.iterdir() if LOCALES_DIR.is_dir() else iter(())
    found = sorted(p.name for p in folders if (p / "LC_MESSAGES").is_dir())
    return (SOURCE, *[code for code in found if code != SOURCE])


def normalize(code: str | None) -> str | None:
    """A known language code for `code` ("fr-CA", "fr_ca" -> "fr_CA"), or None."""
    wanted = (code or "").strip().replace("-", "_").lower()
    return next((c for c in languages() if c.lower() == wanted), None)


def language_name(code: str) -> str:
    """A language's name in that language, for a picker: English, Français, Español."""
    return (Locale.parse(code).language_name or code).capitalize() if code != SOURCE else "English"


def english_name(code: str) -> str:
    """A language's name in English, for the reseller's pages: French (Canada), Spanish (Mexico)."""
    return Locale.parse(code).get_display_name("en") or code if code != SOURCE else "English"


def _domain_translations(code: str, domain: str) -> _gettext.GNUTranslations | None:
    po = LOCALES_DIR / code / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return _gettext.GNUTranslations(fp)
    if not po.is_file():
        return None
    # No compiled catalogue yet (or an older one): compile the .po in memory; `make catalogues` writes the .mo.
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code, domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


@cache
def translations(code: str) -> _gettext.NullTranslations:
    """Every domain of a language merged into one catalogue (English: the message ids themselves)."""
    merged: _gettext.NullTranslations = _gettext.NullTranslations()
    if code == SOURCE or code not in languages():
        return merged
    for domain in DOMAINS:
        found = _domain_translations(code, domain)
        if found is not None:
            found.add_fallback(merged)
            merged = found
    return merged


@cache
def texts(code: str) -> dict[str, str]:
    """A language's translated messages, message id -> text (what the browser's `t()` reads; {} for English)."""
    t = translations(code)
    out: dict[str, str] = {}
    while isinstance(t, _gettext.GNUTranslations):
        catalog: dict[object, str] = getattr(t, "_catalog", {})
        for key, value in catalog.items():
            if isinstance(key, str) and key and value and key not in out:
                out[key] = value
        t = getattr(t, "_fallback", None)  # type: ignore[assignment]
    return out


def current_language() -> str:
    """The language of the current request (context)."""
    return _language.get()


def set_language(code: str | None) -> None:
    """Speak this language for the rest of the current request (an unknown code: English)."""
    _language.set(normalize(code) or SOURCE)


@contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Speak this language inside the block (an unknown code: English)."""
    token = _language.set(normalize(code) or SOURCE)
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language (the English message when it has no translation)."""
    return translations(_language.get()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a constant for translation where it is used (`_(CONSTANT)`): returns it unchanged."""
    return message


def locale_of(code: str | None = None) -> str:
    """The Babel locale of a language for numbers, amounts and dates (English: the portal's PORTAL_LOCALE)."""
    from reseller_app.config import settings  # here: config imports nothing of this package

    code = code or _language.get()
    return settings.portal_locale if code == SOURCE else code


def _accepted(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first ("fr-CA,fr;q=0.9,en;q=0.5")."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag.replace("-", "_")))
    return [tag for _q, _i, tag in sorted(ranked)]


def negotiate(accept_language: str, enabled: Iterable[str]) -> str | None:
    """The best of the `enabled` languages for a browser's Accept-Language header, or None."""
    enabled = [c for c in enabled if c in languages()]
    if not enabled:
        return None
    wanted = _accepted(accept_language)
    # Babel matches "fr_FR" to nothing when only fr_CA exists: offer each language under its bare code too.
    available = enabled + [c.split("_")[0] for c in enabled]
    found = negotiate_locale(wanted, available, sep="_") or negotiate_locale(
        [w.split("_")[0] for w in wanted], available, sep="_"
    )
    if found is None:
        return None
    return next(c for c in enabled if c.lower() == found.lower() or c.split("_")[0].lower() == found.lower())


def choose(
    enabled: Iterable[str], default: str, *, stored: str = "", cookie: str = "", accept_language: str = ""
) -> str:
    """The language a visitor sees: their stored choice, else the login page's choice (cookie), else the
    browser's Accept-Language, else the portal's default; always one of the `enabled` languages."""
    allowed = [c for c in (normalize(x) for x in enabled) if c] or [SOURCE]
    for pick in (stored, cookie):
        code = normalize(pick)
        if code in allowed:
            return code
    fallback = normalize(default)
    return negotiate(accept_language, allowed) or (fallback if fallback in allowed else allowed[0])
