"""Destination digits -> ISO country, and the route a package uses for a country.

The country of a number is decided by a short prefix: "1" + the area code inside the
NANP (which splits the US from Canada and the Caribbean), the country calling code
elsewhere, and for calling codes shared by several countries (+7, +44, +47, ...) the
leading digits libphonenumber lists for the smaller ones. `country_key_prefixes()`
returns every prefix that takes part in that decision, so callers may cache a
destination's country under its longest such prefix.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import PhoneMetadata

from .enums import Route

if TYPE_CHECKING:
    from .package import PackageRules

# Longest prefix that can decide a country: a 3-digit calling code + 5 leading digits.
COUNTRY_KEY_LEN = 8
_LEADING_MAX = COUNTRY_KEY_LEN - 3
_NON_GEOGRAPHIC = "001"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Build (NANP "1NPA" -> region, calling code -> main region, shared-code prefix -> region)."""
    nanp: dict[str, str] = {}
    ca = PhoneMetadata.metadata_for_region("CA")
    if ca is None:  # pragma: no cover - phonenumbers ships Canada's metadata
        raise RuntimeError("phonenumbers has no metadata for CA")
    ca_patterns = [
        re.compile(d.national_number_pattern)
        for d in (ca.fixed_line, ca.mobile)
        if d is not None and d.national_number_pattern
    ]
    nanp_leading = []
    for nanp_region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        md = PhoneMetadata.metadata_for_region(nanp_region)
        if md is not None and md.leading_digits:
            nanp_leading.append((re.compile(md.leading_digits), nanp_region))
    for npa_int in range(200, 1000):
        npa = str(npa_int)
        region = next((r for pat, r in nanp_leading if pat.match(npa)), None)
        if region is None:
            probe = npa + "2345678"
            region = "CA" if any(p.fullmatch(probe) for p in ca_patterns) else "US"
        nanp["1" + npa] = region

    main: dict[str, str] = {}
    shared: dict[str, str] = {}
    every = None
    for cc, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if cc == 1:
            continue
        main[str(cc)] = regions[0]
        for region in regions[1:]:
            md = PhoneMetadata.metadata_for_region(region)
            if md is None or not md.leading_digits:
                continue  # no leading digits: its numbers fall to the main country
            if every is None:  # every digit string of _LEADING_MAX digits, each behind a "1"
                every = "\n".join(map(str, range(10**_LEADING_MAX, 2 * 10**_LEADING_MAX)))
            pattern = re.compile(md.leading_digits)
            found = {m.group(1) for m in re.finditer(f"^1({pattern.pattern})", every, re.M)}
            for text in found:
                # The shortest prefix that matches: every number starting with it is `region`.
                k = next(k for k in range(1, len(text) + 1) if pattern.match(text[:k]))
                shared.setdefault(str(cc) + text[:k], region)
    return nanp, main, shared


def country_of(digits: str) -> str | None:
    """ISO 3166 alpha-2 country of a destination in international digits, or None if unknown."""
    return _country_for_prefix(digits[:COUNTRY_KEY_LEN])


@lru_cache(maxsize=65536)
def _country_for_prefix(key: str) -> str | None:
    nanp, main, shared = _tables()
    if key[:1] == "1":
        return nanp.get(key[:4])
    for n in (1, 2, 3):
        cc = key[:n]
        region = main.get(cc)
        if region is None:
            continue
        for k in range(min(len(key), n + _LEADING_MAX), n, -1):
            hit = shared.get(key[:k])
            if hit is not None:
                return hit
        return None if region == _NON_GEOGRAPHIC else region
    return None


@lru_cache(maxsize=1)
def country_key_prefixes() -> frozenset[str]:
    """Every prefix that can decide a country; a number's country is that of its longest one."""
    nanp, main, shared = _tables()
    return frozenset(nanp) | frozenset(main) | frozenset(shared) | {"1"}


@lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    """ISO codes that `country_of` can return (for validating package rules)."""
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def route_for(country: str | None, package: PackageRules) -> str:
    """The termination route of a country (a `Route` value): US premium, Canada and the rest per package."""
    if country == "US":
        return Route.PREMIUM.value
    if country == "CA":
        return package.canada_route
    return package.international_route
