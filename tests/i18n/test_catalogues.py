"""Every user-visible text of the client portal is in the catalogues, and every language translates all of it.

(a) extract the message ids from the source (as `make extract` does) and compare with each language's .po: a
missing id, an empty or fuzzy translation, or a translation that loses a `{placeholder}` fails;
(b) an AST scan of the client portal's page modules fails on a visible English string literal not wrapped in t():
text children of components, placeholder=, aria_label=, title=.
"""

from __future__ import annotations

import ast
import re

import pytest
from babel.messages.pofile import read_po

from reseller_app import i18n
from reseller_app.i18n.__main__ import ROOT, extract, source_files
from reseller_app.i18n.domains import DOMAINS

LANGUAGES = [c for c in i18n.languages() if c != i18n.SOURCE]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|\[[a-z_]+\]")  # {n} of the code, [firstname] of email texts

# The client portal's page modules (what a client sees): every visible text in them goes through t().
CLIENT_PAGES = [
    "reseller_app/pages/access/login.py",
    "reseller_app/pages/access/signup.py",
    "reseller_app/pages/access/password_reset.py",
    "reseller_app/components/language.py",
    "reseller_app/pages/portal/dashboard.py",
    "reseller_app/pages/portal/balance.py",
    "reseller_app/pages/portal/calls.py",
    "reseller_app/pages/portal/services.py",
    "reseller_app/pages/portal/parts.py",
    "reseller_app/components/deposit.py",
    "reseller_app/components/card_payments.py",
    "reseller_app/components/pager.py",
    "reseller_app/pages/portal/security.py",
    "reseller_app/components/two_factor.py",
    "reseller_app/pages/invoicing/client_invoices.py",
    "reseller_app/pages/messaging/inbox.py",
    "reseller_app/pages/callflows/phone_system.py",
    "reseller_app/pages/callflows/call_flows.py",
    "reseller_app/pages/callflows/parts.py",
]


def _po(code: str, domain: str):
    with (i18n.LOCALES_DIR / code / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        return read_po(fp, locale=code, domain=domain)


@pytest.fixture(scope="module")
def templates():
    return {domain: extract(domain) for domain in DOMAINS}


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def problems(template, catalog) -> list[str]:
    """What a language's catalogue lacks for a template: missing, untranslated, fuzzy, lost placeholders."""
    out = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None:
            out.append(f"missing (run `make extract`): {_key(message)!r}")
            continue
        strings = [found.string] if isinstance(found.string, str) else list(found.string)
        if found.fuzzy or not all(strings):
            out.append(f"{'fuzzy' if found.fuzzy else 'untranslated'}: {_key(message)!r}")
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        out.extend(
            f"placeholders differ: {_key(message)!r} -> {s!r}" for s in strings if set(PLACEHOLDER.findall(s)) != wanted
        )
    return out


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("domain", list(DOMAINS))
def test_every_message_of_the_source_is_translated(templates, domain, code):
    found = problems(templates[domain], _po(code, domain))
    assert not found, f"{code}/{domain}.po:\n" + "\n".join(found)


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("domain", list(DOMAINS))
def test_no_catalogue_keeps_messages_the_source_no_longer_has(templates, domain, code):
    """A .po in step with its source (`make extract` drops what is gone): no dead weight for translators."""
    used = {_key(m) for m in templates[domain] if m.id}
    stale = [_key(m) for m in _po(code, domain) if m.id and _key(m) not in used]
    assert not stale, f"{code}/{domain}.po has messages no source uses (run `make extract`): {stale}"


def test_the_templates_are_up_to_date(templates):
    for domain, template in templates.items():
        with (i18n.LOCALES_DIR / f"{domain}.pot").open("rb") as fp:
            saved = {_key(m) for m in read_po(fp) if m.id}
        assert saved == {_key(m) for m in template if m.id}, f"{domain}.pot is stale: run `make extract`"


def test_every_client_page_module_belongs_to_a_domain():
    covered = {p.relative_to(ROOT).as_posix() for domain in DOMAINS for p in source_files(domain)}
    assert not [m for m in CLIENT_PAGES if m not in covered]


def test_the_check_catches_missing_empty_fuzzy_and_broken_translations():
    """The comparison itself fails on each kind of gap (a probe catalogue, not the real files)."""
    from babel.messages.catalog import Catalog

    template = Catalog()
    for text in ("Sign in", "A new text", "Not yet", "Unsure", "Use at least {n} characters."):
        template.add(text)
    catalog = Catalog(locale="fr_CA")
    catalog.add("Sign in", "Se connecter")
    catalog.add("Not yet", "")
    catalog.add("Unsure", "Incertain", flags=["fuzzy"])
    catalog.add("Use at least {n} characters.", "Utilisez au moins {nombre} caractères.")
    assert problems(template, catalog) == [
        "missing (run `make extract`): 'A new text'",
        "untranslated: 'Not yet'",
        "fuzzy: 'Unsure'",
        "placeholders differ: 'Use at least {n} characters.' -> 'Utilisez au moins {nombre} caractères.'",
    ]


# --- (b) the AST scan -------------------------------------------------------------------------------------------

WRAPPERS = {"t", "t_format", "_", "N_", "gettext", "ngettext"}
VISIBLE_KEYWORDS = {"placeholder", "aria_label", "title", "alt", "label", "hint"}
ENGLISH = re.compile(r"^[A-Z][a-z]|[A-Za-z]{2,}[ ,.?!:][ A-Za-z]")


def _visible(text: str) -> bool:
    return bool(ENGLISH.search(text.strip()))


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def unwrapped_literals(source: str) -> list[tuple[int, str]]:
    """Visible English string literals passed to components (positional children, or visible props) unwrapped."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node.func) in WRAPPERS:
            continue
        args = list(node.args) + [kw.value for kw in node.keywords if kw.arg in VISIBLE_KEYWORDS]
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _visible(arg.value):
                found.append((arg.lineno, arg.value))
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                if _visible(text):
                    found.append((arg.lineno, text))
    return found


@pytest.mark.parametrize("module", CLIENT_PAGES)
def test_client_pages_wrap_every_visible_text_in_t(module):
    found = unwrapped_literals((ROOT / module).read_text())
    assert not found, f"{module}: visible text not wrapped in t(): " + "; ".join(f"line {n}: {s!r}" for n, s in found)


def test_the_scan_catches_an_unwrapped_text():
    source = 'rx.text("Sign in")\nrx.input(placeholder="Your email")\nrx.text(t("Fine"))\nrx.icon("log-out")\n'
    assert unwrapped_literals(source) == [(1, "Sign in"), (2, "Your email")]
