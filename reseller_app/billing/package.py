"""The rating rules of a package (PACKAGE.json), validated once into a frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .enums import ROUTES, Route
from .money import ZERO, parse_amount

_KEYS = {
    "name",
    "markup_fixed",
    "markup_percent",
    "pulse",
    "canada_route",
    "international_route",
    "onnet_free",
    "free_minutes",
    "billing_anchor",
    "did_rate",
    "area_rates",
    "free_zones",
    "setup_fee",
    "monthly_fee",
    "sms_out_rate",
    "sms_in_rate",
    "mms_out_rate",
    "mms_in_rate",
}
# Per-message sell rates (billing/messages.py): None (or absent / null in PACKAGE.json) = the carrier's cost with
# the markup.
MESSAGE_RATE_KEYS = ("sms_out_rate", "sms_in_rate", "mms_out_rate", "mms_in_rate")
_REQUIRED = ("markup_fixed", "markup_percent", "pulse", "canada_route", "international_route")


@dataclass(frozen=True)
class AreaRate:
    """A custom per-minute sell rate for a prefix or a whole country (exactly one of the two)."""

    rate: Decimal
    prefix: str | None = None
    country: str | None = None

    def __post_init__(self) -> None:
        if (self.prefix is None) == (self.country is None):
            raise ValueError("an area rate needs exactly one of prefix or country")
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate < 0:
            raise ValueError(f"area rate: must be a non-negative Decimal, got {self.rate!r}")


@dataclass(frozen=True)
class FreeZone:
    """Free calling to a country, a prefix, or any destination costing at most `max_rate`."""

    country: str | None = None
    prefix: str | None = None
    max_rate: Decimal | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.country, self.prefix, self.max_rate)) != 1:
            raise ValueError("a free zone needs exactly one of country, prefix or max_rate")


@dataclass(frozen=True)
class PackageRules:
    """Everything the rating engine needs to know about a package."""

    name: str = ""
    markup_fixed: Decimal = ZERO
    markup_percent: Decimal = ZERO
    pulse: int = 60
    canada_route: str = Route.VALUE.value
    international_route: str = Route.PREMIUM.value
    onnet_free: bool = False
    free_minutes: int = 0
    billing_anchor: date | None = None
    did_rate: Decimal = ZERO
    area_rates: tuple[AreaRate, ...] = field(default_factory=tuple)
    free_zones: tuple[FreeZone, ...] = field(default_factory=tuple)
    setup_fee: Decimal = ZERO
    monthly_fee: Decimal = ZERO
    sms_out_rate: Decimal | None = None  # per part of an outgoing text
    sms_in_rate: Decimal | None = None  # per incoming text
    mms_out_rate: Decimal | None = None  # per outgoing picture message
    mms_in_rate: Decimal | None = None  # per incoming picture message

    def __post_init__(self) -> None:
        _check_pulse(self.pulse)
        for route_name in ("canada_route", "international_route"):
            if getattr(self, route_name) not in ROUTES:
                raise ValueError(f"{route_name}: must be 'value' or 'premium', got {getattr(self, route_name)!r}")
        if isinstance(self.free_minutes, bool) or not isinstance(self.free_minutes, int) or self.free_minutes < 0:
            raise ValueError(f"free_minutes: must be a whole number >= 0, got {self.free_minutes!r}")
        for name in ("markup_fixed", "markup_percent", "did_rate", "setup_fee", "monthly_fee"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise ValueError(f"{name}: must be a non-negative Decimal, got {value!r}")
        for name in MESSAGE_RATE_KEYS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite() or value < 0):
                raise ValueError(f"{name}: must be a non-negative Decimal or None, got {value!r}")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PackageRules:
        """Validate a PACKAGE.json object; raise ValueError naming the bad key."""
        if not isinstance(data, dict):
            raise ValueError("package: expected a JSON object")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise ValueError(f"package: unknown key(s) {', '.join(unknown)}")
        missing = [k for k in _REQUIRED if k not in data]
        if missing:
            raise ValueError(f"package: missing key(s) {', '.join(missing)}")
        name = data.get("name", "")
        if not isinstance(name, str):
            raise ValueError("name: must be a string")
        pulse = data["pulse"]
        _check_pulse(pulse)
        free_minutes = data.get("free_minutes", 0)
        if isinstance(free_minutes, bool) or not isinstance(free_minutes, int) or free_minutes < 0:
            raise ValueError(f"free_minutes: must be a whole number >= 0, got {free_minutes!r}")
        onnet_free = data.get("onnet_free", False)
        if not isinstance(onnet_free, bool):
            raise ValueError(f"onnet_free: must be true or false, got {onnet_free!r}")
        anchor = data.get("billing_anchor")
        if anchor is not None:
            if not isinstance(anchor, str):
                raise ValueError('billing_anchor: must be a date string like "2024-01-31"')
            try:
                anchor = date.fromisoformat(anchor)
            except ValueError:
                raise ValueError(f'billing_anchor: {anchor!r} is not a date like "2024-01-31"') from None
        return cls(
            name=name,
            markup_fixed=_amount(data, "markup_fixed"),
            markup_percent=_amount(data, "markup_percent"),
            pulse=pulse,
            canada_route=_route(data, "canada_route"),
            international_route=_route(data, "international_route"),
            onnet_free=onnet_free,
            free_minutes=free_minutes,
            billing_anchor=anchor,
            did_rate=_amount(data, "did_rate", "0"),
            area_rates=_area_rates(data.get("area_rates", [])),
            free_zones=_free_zones(data.get("free_zones", [])),
            setup_fee=_amount(data, "setup_fee", "0", places=4),
            monthly_fee=_amount(data, "monthly_fee", "0", places=4),
            sms_out_rate=_optional_amount(data, "sms_out_rate"),
            sms_in_rate=_optional_amount(data, "sms_in_rate"),
            mms_out_rate=_optional_amount(data, "mms_out_rate"),
            mms_in_rate=_optional_amount(data, "mms_in_rate"),
        )


def _check_pulse(pulse: object) -> None:
    if isinstance(pulse, bool) or not isinstance(pulse, int) or not 1 <= pulse <= 3600:
        raise ValueError(f"pulse: must be a whole number of seconds from 1 to 3600, got {pulse!r}")


def _amount(data: dict[str, Any], key: str, default: str | None = None, *, places: int = 6) -> Decimal:
    return _to_amount(data.get(key, default), key, places=places)


def _optional_amount(data: dict[str, Any], key: str) -> Decimal | None:
    """An amount that may be absent or null (a per-message rate left to the markup)."""
    return None if data.get(key) is None else _to_amount(data[key], key)


def _to_amount(raw: object, what: str, *, places: int = 6) -> Decimal:
    if isinstance(raw, Decimal):  # json.loads(..., parse_float=Decimal) gives exact numbers
        raw = str(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    elif not isinstance(raw, str):
        raise ValueError(f'{what}: amounts must be JSON strings like "0.0025", got {type(raw).__name__}')
    return parse_amount(raw, places=places, what=what)


def _route(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if value not in ROUTES:
        raise ValueError(f"{key}: must be 'value' or 'premium', got {value!r}")
    return str(value)


def _prefix(raw: object, what: str) -> str:
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        raise ValueError(f"{what}: prefix must be a string of digits, got {raw!r}")
    return raw


def _country(raw: object, what: str) -> str:
    from .countries import known_countries

    if not isinstance(raw, str) or raw.upper() not in known_countries():
        raise ValueError(f'{what}: {raw!r} is not an ISO country code like "GB"')
    return raw.upper()


def _items(raw: object, key: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ValueError(f"{key}: must be a list of objects")
    return raw


def _area_rates(raw: object) -> tuple[AreaRate, ...]:
    out: list[AreaRate] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(_items(raw, "area_rates")):
        what = f"area_rates[{i}]"
        if set(item) not in ({"prefix", "rate"}, {"country", "rate"}):
            raise ValueError(f'{what}: needs "rate" and exactly one of "prefix" or "country"')
        rate = _to_amount(item["rate"], f"{what}.rate")
        if "prefix" in item:
            key = ("prefix", _prefix(item["prefix"], what))
            entry = AreaRate(rate=rate, prefix=key[1])
        else:
            key = ("country", _country(item["country"], what))
            entry = AreaRate(rate=rate, country=key[1])
        if key in seen:
            raise ValueError(f"{what}: duplicate {key[0]} {key[1]}")
        seen.add(key)
        out.append(entry)
    return tuple(out)


def _free_zones(raw: object) -> tuple[FreeZone, ...]:
    out: list[FreeZone] = []
    for i, item in enumerate(_items(raw, "free_zones")):
        what = f"free_zones[{i}]"
        if len(item) != 1 or next(iter(item)) not in ("country", "prefix", "max_rate"):
            raise ValueError(f'{what}: needs exactly one of "country", "prefix" or "max_rate"')
        if "country" in item:
            out.append(FreeZone(country=_country(item["country"], what)))
        elif "prefix" in item:
            out.append(FreeZone(prefix=_prefix(item["prefix"], what)))
        else:
            out.append(FreeZone(max_rate=_to_amount(item["max_rate"], f"{what}.max_rate")))
    return tuple(out)
