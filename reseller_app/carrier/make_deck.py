"""Generate the sandbox carrier's rate deck (deck.csv beside this file) from libphonenumber metadata.

Run once and commit the output: `.venv/bin/python -m reseller_app.carrier.make_deck`.
The output is deterministic for a given `phonenumbers` version: a fixed seed drives every random choice.
Prefixes are real (numbering-plan metadata decides what is mobile and what is fixed); the prices are made up
but shaped like a wholesale deck: cheap North America, cheap Western European landlines, dearer mobiles,
expensive remote destinations, and the premium route a little dearer than the value route everywhere.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

import phonenumbers
import pycountry
from phonenumbers import PhoneNumberType, geocoder

SEED = 20241126
OUT = Path(__file__).resolve().parent / "deck.csv"
COLUMNS = ["prefix", "destination", "route", "rate", "increment"]
MAX_DEPTH = 3  # national digits after the country code
SAMPLES = 12  # random numbers tried per prefix and per possible length

NAME_OVERRIDES = {
    "AC": "Ascension Island",
    "TA": "Tristan da Cunha",
    "XK": "Kosovo",
    "CD": "Congo (DRC)",
    "CG": "Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "RU": "Russia",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "SY": "Syria",
    "LA": "Laos",
    "VN": "Vietnam",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "MF": "Saint Martin (French part)",
    "SX": "Sint Maarten",
}

# Per-minute premium-route cost ranges in micro-units: (fixed low, fixed high, mobile low, mobile high).
ZONES: dict[str, tuple[int, int, int, int]] = {
    "west_europe": (10_000, 30_000, 30_000, 90_000),
    "east_europe": (20_000, 60_000, 50_000, 200_000),
    "mexico": (8_000, 16_000, 15_000, 30_000),
    "latam_major": (20_000, 50_000, 60_000, 150_000),
    "latam": (50_000, 150_000, 100_000, 300_000),
    "asia_major": (8_000, 25_000, 9_000, 30_000),
    "asia_developed": (15_000, 50_000, 40_000, 120_000),
    "asia": (30_000, 100_000, 50_000, 150_000),
    "middle_east": (80_000, 200_000, 100_000, 300_000),
    "far": (50_000, 400_000, 150_000, 600_000),
}
ZONE_OF: dict[str, str] = {}
for _zone, _regions in {
    "west_europe": "GB IE FR DE NL BE LU CH AT IT ES PT DK SE NO FI IS MC AD SM VA LI MT GI JE GG IM FO AX",
    "east_europe": "PL CZ SK HU SI HR RO BG GR CY EE LV LT RS BA ME MK AL XK MD UA BY RU KZ TR GE AM AZ",
    "mexico": "MX",
    "latam_major": "BR AR CL CO PE UY CR PA",
    "latam": "BO EC PY VE GT HN SV NI BZ CU HT GY SR GF GP MQ AW CW BQ",
    "asia_major": "CN IN",
    "asia_developed": "JP KR HK SG TW AU NZ IL MO",
    "asia": "PH TH VN ID MY PK BD LK NP KH LA MM MN UZ KG TJ TM BN",
    "middle_east": "AE SA QA KW BH OM JO LB IQ IR EG",
}.items():
    for _r in _regions.split():
        ZONE_OF[_r] = _zone

# Canadian area codes by province (the NANP split that billing uses for the Canada route).
CANADA_NPA = {
    "Alberta": "368 403 587 780 825",
    "British Columbia": "236 250 257 604 672 778",
    "Manitoba": "204 431 584",
    "New Brunswick": "428 506",
    "Newfoundland and Labrador": "709 879",
    "Nova Scotia and PEI": "782 902",
    "Ontario": "226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 807 905 942",
    "Quebec": "263 354 367 418 438 450 468 514 579 581 819 873",
    "Saskatchewan": "306 474 639",
    "Northern Canada": "867",
}

FIXED, MOBILE, SPECIAL = "fixed", "mobile", "special"
# Zones whose landlines get per-area rows, as wholesale decks list big cities separately.
AREA_ZONES = {"west_europe", "east_europe", "mexico", "latam_major", "asia_major", "asia_developed"}
_CATEGORY = {
    PhoneNumberType.MOBILE: MOBILE,
    PhoneNumberType.PAGER: MOBILE,
    PhoneNumberType.PREMIUM_RATE: SPECIAL,
    PhoneNumberType.SHARED_COST: SPECIAL,
    PhoneNumberType.PERSONAL_NUMBER: SPECIAL,
    PhoneNumberType.UAN: SPECIAL,
    PhoneNumberType.VOICEMAIL: SPECIAL,
}


def country_name(region: str) -> str:
    """A short English name for an ISO region code, without the formal ', Republic of' tails."""
    if region in NAME_OVERRIDES:
        return NAME_OVERRIDES[region]
    country = pycountry.countries.get(alpha_2=region)
    if country is None:
        return region
    name = getattr(country, "common_name", None) or country.name
    return name.split(",")[0]


def _kind(number: phonenumbers.PhoneNumber) -> tuple[str, str] | None:
    """(region, category) of a valid number; the region matters where several countries share a calling code."""
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.region_code_for_number(number), _CATEGORY.get(phonenumbers.number_type(number), FIXED)


def _sample(rng: random.Random, cc: int, prefix: str, lengths: list[int]) -> Counter:
    seen: Counter = Counter()
    for length in lengths:
        if length <= len(prefix):
            continue
        for _ in range(SAMPLES):
            rest = "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
            try:
                number = phonenumbers.parse(f"+{cc}{prefix}{rest}")
            except phonenumbers.NumberParseException:
                continue
            kind = _kind(number)
            if kind:
                seen[kind] += 1
    return seen


Kind = tuple[str, str]  # (region, category)


def _survey(rng: random.Random, cc: int, lengths: list[int], prefix: str, tree: dict[str, Kind | None]) -> bool:
    """Fill `tree` with prefix -> kind for uniform prefixes and prefix -> None for mixed ones (then split further)."""
    seen = _sample(rng, cc, prefix, lengths)
    if not seen:
        return False
    (kind, count), total = seen.most_common(1)[0], sum(seen.values())
    if count / total >= 0.97 or len(prefix) >= MAX_DEPTH:
        tree[prefix] = kind
        return True
    tree[prefix] = None
    found = [_survey(rng, cc, lengths, prefix + digit, tree) for digit in "0123456789"]
    if not any(found):
        tree[prefix] = kind
    return True


def _children(tree: dict[str, Kind | None], prefix: str) -> list[str]:
    return [prefix + d for d in "0123456789" if prefix + d in tree]


def _settle(tree: dict[str, Kind | None], prefix: str) -> Kind:
    """Give a mixed prefix the most common kind of its children; merge children that all agree (sampling noise)."""
    if tree[prefix] is not None:
        return tree[prefix]
    kids = _children(tree, prefix)
    kinds = Counter(_settle(tree, kid) for kid in kids)
    kind = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if len(kinds) == 1 and all(not _children(tree, kid) for kid in kids):
        for kid in kids:
            del tree[kid]
    tree[prefix] = kind
    return kind


def _emit(tree: dict[str, Kind | None], prefix: str, parent: Kind, out: dict[str, Kind]) -> None:
    kind = tree[prefix]
    if kind != parent:
        out[prefix] = kind
    for kid in _children(tree, prefix):
        _emit(tree, kid, kind, out)


def _areas(rng: random.Random, cc: int, lengths: list[int], main: str, found: dict[str, Kind]) -> dict[str, str]:
    """Landline area names (geocoder) for one- and two-digit national prefixes that are plain fixed lines."""
    name = country_name(main)
    areas: dict[str, str] = {}
    for prefix in [str(d) for d in range(10)] + [f"{n:02d}" for n in range(100)]:
        inherited = next((found[prefix[:i]] for i in range(len(prefix), 0, -1) if prefix[:i] in found), (main, FIXED))
        if inherited != (main, FIXED):
            continue
        places: Counter = Counter()
        for length in lengths:
            for _ in range(SAMPLES if length > len(prefix) else 0):
                rest = "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
                number = phonenumbers.parse(f"+{cc}{prefix}{rest}")
                if _kind(number) == (main, FIXED):
                    places[geocoder.description_for_number(number, "en")] += 1
        if not places:
            continue
        place, count = places.most_common(1)[0]
        if place and place != name and "," not in place and count / sum(places.values()) >= 0.9:
            if areas.get(prefix[:-1]) != place:
                areas[prefix] = place
    return areas


def country_prefixes(rng: random.Random) -> list[tuple[str, str, str]]:
    """(full prefix, region, category) for every non-NANP country code: defaults high, exceptions deeper."""
    rows: list[tuple[str, str, str]] = []
    for cc, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        main = regions[0]
        if cc == 1 or main == "001":
            continue
        meta = phonenumbers.PhoneMetadata.metadata_for_region(main)
        lengths = sorted(set(meta.general_desc.possible_length)) if meta else []
        rows.append((str(cc), main, FIXED))
        tree: dict[str, Kind | None] = {}
        for digit in "0123456789":
            _survey(rng, cc, lengths, digit, tree)
        found: dict[str, Kind] = {}
        for top in [d for d in "0123456789" if d in tree]:
            _settle(tree, top)
            _emit(tree, top, (main, FIXED), found)
        rows.extend((f"{cc}{p}", region, cat) for p, (region, cat) in sorted(found.items()))
        if ZONE_OF.get(main) in AREA_ZONES:
            rows.extend(
                (f"{cc}{p}", main, f"{FIXED}:{place}") for p, place in _areas(rng, cc, lengths, main, found).items()
            )
    return rows


def nanp_prefixes() -> list[tuple[str, str, str]]:
    """Canadian and Caribbean area codes; every other NANP number falls to prefix 1 (US, premium only)."""
    rows = [(f"1{npa}", "CA", province) for province, npas in CANADA_NPA.items() for npa in npas.split()]
    canadian = {p for p, _, _ in rows}
    for npa in range(200, 1000):
        number = phonenumbers.parse(f"+1{npa}2345678")
        region = phonenumbers.region_code_for_number(number)
        if region == "CA" and f"1{npa}" not in canadian:
            rows.append((f"1{npa}", "CA", "Canada"))
        elif region and region not in ("US", "CA"):
            rows.append((f"1{npa}", region, FIXED))
    return rows


def _micro(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) // 10 * 10  # whole hundred-thousandths look like a real deck


def _rate(micro: int) -> str:
    return format(Decimal(micro).scaleb(-6).normalize(), "f")


def build(seed: int = SEED) -> list[dict[str, str]]:
    """Every deck row, premium then value for each prefix, sorted by prefix."""
    rng = random.Random(seed)
    priced: list[tuple[str, str, int, str]] = []  # prefix, destination, premium micro, zone

    for prefix, region, province in nanp_prefixes():
        if region == "CA":
            destination = "Canada" if province == "Canada" else f"Canada - {province}"
            priced.append((prefix, destination, _micro(rng, 6_000, 12_000), "canada"))
        else:
            priced.append((prefix, country_name(region), _micro(rng, 40_000, 200_000), "caribbean"))
    priced.append(("1", "United States", _micro(rng, 4_000, 9_000), "us"))

    base: dict[tuple[str, str], int] = {}  # one price per (region, category); sub-prefixes vary a little
    for prefix, region, category in country_prefixes(rng):
        zone = ZONE_OF.get(region, "far")
        f_lo, f_hi, m_lo, m_hi = ZONES[zone]
        fixed = base.setdefault((region, FIXED), _micro(rng, f_lo, f_hi))
        name = country_name(region)
        if category == FIXED:
            priced.append((prefix, name, fixed, zone))
        elif category.startswith(f"{FIXED}:"):
            area = category.split(":", 1)[1]
            priced.append((prefix, f"{name} - {area}", fixed * rng.randint(85, 100) // 100, zone))
        elif category == MOBILE:
            low = max(m_lo, fixed)
            mobile = base.setdefault((region, MOBILE), _micro(rng, low, max(low, m_hi)))
            priced.append((prefix, f"{name} - Mobile", mobile * rng.randint(95, 115) // 100, zone))
        else:
            special = base.setdefault((region, SPECIAL), min(fixed * rng.randint(3, 8), 1_500_000) // 10 * 10)
            priced.append((prefix, f"{name} - Special Services", special, zone))

    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for prefix, destination, premium, zone in sorted(priced):
        if prefix in seen:
            continue
        seen.add(prefix)
        premium = max(premium, 1_000)
        rows.append(
            {"prefix": prefix, "destination": destination, "route": "premium", "rate": _rate(premium), "increment": "6"}
        )
        if zone == "us":
            continue  # US calls always take the premium route
        value = premium * rng.randint(80, 93) // 100 // 10 * 10
        slow = zone == "far" and rng.random() < 0.3 or destination.endswith("Special Services")
        rows.append(
            {
                "prefix": prefix,
                "destination": destination,
                "route": "value",
                "rate": _rate(value),
                "increment": "60" if slow else "6",
            }
        )
    return rows


def main() -> None:
    """Write the deck CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    rows = build(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows ({len({r['prefix'] for r in rows})} prefixes) to {args.out}")


if __name__ == "__main__":
    main()
