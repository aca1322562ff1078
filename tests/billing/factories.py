"""Small decks, packages and calls with hand-checkable numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from reseller_app.billing.deck import RateDeck
from reseller_app.billing.package import AreaRate, FreeZone, PackageRules
from reseller_app.billing.rating import Call

T0 = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def deck(*rows: tuple[str, str, str, int] | tuple[str, str, str]) -> RateDeck:
    """rows: (route, prefix, rate[, increment])."""
    d = RateDeck()
    for row in rows:
        route, prefix, rate, *inc = row
        d.add(route, prefix, D(rate), inc[0] if inc else 6, f"dest {prefix}")
    return d


def standard_deck() -> RateDeck:
    return deck(
        ("premium", "1", "0.010000"),  # NANP catch-all, premium
        ("premium", "1514", "0.009000"),  # Montreal, premium
        ("value", "1514", "0.005000"),  # Montreal, value
        ("premium", "1212", "0.004000"),  # New York
        ("premium", "44", "0.010000"),
        ("premium", "4420", "0.008000"),
        ("premium", "447", "0.050000"),
        ("value", "44", "0.006000"),
        ("premium", "49", "0.020000"),
        ("premium", "33", "0.000800"),  # cheap: under a max_rate free zone of 0.001
        ("premium", "34", "0.001100"),  # just above it
        ("premium", "1800", "0.000000"),
    )


def package(**kw: object) -> PackageRules:
    base: dict[str, object] = {
        "name": "Test",
        "markup_fixed": D("0.0025"),
        "markup_percent": D("20"),
        "pulse": 6,
        "canada_route": "value",
        "international_route": "premium",
        "onnet_free": False,
        "free_minutes": 0,
        "billing_anchor": date(2024, 1, 31),
        "did_rate": D("0.010000"),
    }
    base.update(kw)
    return PackageRules(**base)  # type: ignore[arg-type]


def call(
    destination: str = "442071234567",
    duration: int = 60,
    *,
    call_id: str = "c1",
    start: datetime = T0,
    direction: str = "out",
    account: str = "sa1",
    disposition: str = "ANSWERED",
    onnet: bool = False,
    caller: str = "15145550000",
    **kw: object,
) -> Call:
    return Call(
        call_id=call_id,
        start=start,
        direction=direction,
        account=account,
        caller=caller,
        destination=destination,
        duration=duration,
        disposition=disposition,
        onnet=onnet,
        **kw,  # type: ignore[arg-type]
    )


__all__ = ["D", "T0", "AreaRate", "FreeZone", "call", "deck", "package", "standard_deck"]
