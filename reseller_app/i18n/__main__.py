"""`python -m reseller_app.i18n extract|domains` (used by `make extract` and `make catalogues`).

extract: for each domain of domains.py, collect the message ids of its source files into locales/<domain>.pot
(Babel's extractor, the keywords of domains.KEYWORDS), then update every language's <domain>.po from it (new ids
come in untranslated, removed ids go, a changed id is marked fuzzy). A new language: `extract --init fr_FR`.
domains: print the domain names (space separated), for `pybabel compile -D`.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from reseller_app.i18n import LOCALES_DIR, SOURCE, languages
from reseller_app.i18n.domains import DOMAINS, KEYWORDS

ROOT = Path(__file__).resolve().parents[2]


def source_files(domain: str) -> list[Path]:
    """The .py files of a domain, in a stable order."""
    out: list[Path] = []
    for entry in DOMAINS[domain]:
        path = ROOT / entry
        out.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return out


def extract(domain: str) -> Catalog:
    """The message ids the domain's files use (its template)."""
    catalog = Catalog(domain=domain, project="reseller_app", charset="utf-8", fuzzy=False)
    for path in source_files(domain):
        rel = path.relative_to(ROOT).as_posix()
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        ):
            catalog.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return catalog


def _dated(text: bytes) -> bytes:
    return b"\n".join(line for line in text.splitlines() if not line.startswith(b'"POT-Creation-Date:'))


def _write(catalog: Catalog, path: Path) -> None:
    """Write a .pot/.po file, unless only its creation date would change (so an extract touches only the
    domains whose texts changed: two translators of two areas never edit the same file)."""
    buf = io.BytesIO()
    # No line numbers: a moved line does not change the file (fewer merge conflicts between translators).
    write_po(buf, catalog, width=120, include_lineno=False, ignore_obsolete=True, sort_output=False)
    if path.is_file() and _dated(path.read_bytes()) == _dated(buf.getvalue()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def run_extract(new: list[str]) -> None:
    """Refresh every .pot and .po file (and create the .po files of the languages in `new`)."""
    for domain in DOMAINS:
        template = extract(domain)
        _write(template, LOCALES_DIR / f"{domain}.pot")
        for code in sorted({*(c for c in languages() if c != SOURCE), *new}):
            po = LOCALES_DIR / code / "LC_MESSAGES" / f"{domain}.po"
            if po.is_file():
                with po.open("rb") as fp:
                    catalog = read_po(fp, locale=code, domain=domain)
            else:
                catalog = Catalog(locale=code, domain=domain, project="reseller_app", charset="utf-8", fuzzy=False)
            catalog.update(template, update_header_comment=False)
            _write(catalog, po)
        print(f"{domain}: {len(template)} messages")


def main(argv: list[str]) -> int:
    """The command line."""
    if argv[:1] == ["extract"]:
        new = argv[argv.index("--init") + 1 :] if "--init" in argv else []
        run_extract(new)
        return 0
    if argv[:1] == ["domains"]:
        print(" ".join(DOMAINS))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
