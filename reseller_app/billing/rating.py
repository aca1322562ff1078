"""Rating of calls and faxes: cost, sell rate, pulse, free zones, area rates and free minutes.

Internally every rate is an integer number of micro-units (1e-6 per minute) and every
amount an integer number of 1e-4 units, so `round4(rate * seconds / 60)` is computed
exactly, with one half-up rounding, as ``(2 * rate_micro * seconds + 6000) // 12000``.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import NamedTuple

from .countries import country_key_prefixes, country_of, route_for
from .deck import RateDeck
from .enums import Disposition
from .fees import cycle_start
from .money import MICRO, from_micro, round4, round6, to_micro
from .package import PackageRules

REASONS = ("onnet", "free_zone", "free_minutes", "unrated", "not_answered", "")
ANSWERED = Disposition.ANSWERED.value

PoolKey = tuple[str, date]


@lru_cache(maxsize=1024)  # a few spellings repeat through millions of calls (errors are not cached)
def normalize_disposition(text: str) -> str:
    """Canonical disposition ("no_answer" -> "NO ANSWER"); ValueError if unknown."""
    return Disposition.parse(text).value


def markup(cost_rate: Decimal, markup_fixed: Decimal, markup_percent: Decimal) -> Decimal:
    """round6((cost_rate + fixed) * (1 + percent / 100)): the outbound sell rate."""
    with localcontext(prec=60):  # exact before the one rounding, whatever the digits
        return round6((cost_rate + markup_fixed) * (1 + markup_percent / 100))


def sell_rate_for(cost_rate: Decimal, package: PackageRules) -> Decimal:
    """The package's marked-up sell rate for a carrier cost rate."""
    return markup(cost_rate, package.markup_fixed, package.markup_percent)


def billable_seconds(duration: int, pulse: int) -> int:
    """ceil(duration / pulse) * pulse; 0 for a 0 s call."""
    return -(-duration // pulse) * pulse if duration > 0 else 0


def amount_for(rate: Decimal, seconds: int) -> Decimal:
    """round4(rate * seconds / 60): the price (or cost) of `seconds` at a per-minute rate."""
    return round4(rate * seconds / 60)


def _amount4(rate_micro: int, seconds: int) -> int:
    # round4(rate * seconds / 60) in 1e-4 units, exact and half-up (all operands >= 0).
    return (rate_micro * seconds * 2 + 6000) // 12000


def draw_free_minutes(duration: int, left: int, pulse: int) -> tuple[int, int]:
    """(minutes drawn, seconds still billable) for a call meeting `left` free minutes."""
    if left <= 0:
        return 0, billable_seconds(duration, pulse)
    need = -(-duration // 60)
    if need <= left:
        return need, 0
    return left, billable_seconds(duration - left * 60, pulse)


@dataclass(frozen=True, slots=True)
class Call:
    """A call (or fax) to rate, as the carrier's CDR describes it."""

    call_id: str
    start: datetime
    direction: str  # "out" or "in"
    account: str  # the sub-account: each has its own free-minute pool
    caller: str
    destination: str  # digits in international form; for inbound, the DID called
    duration: int
    disposition: str = ANSWERED
    onnet: bool = False
    carrier_cost: Decimal | None = None  # what the carrier charged, when its record says
    did_rate: Decimal | None = None  # per-minute rate of this DID (inbound), else the package's
    kind: str = "call"  # "call" or "fax"

    def __post_init__(self) -> None:
        if not self.call_id:
            raise ValueError("call_id: must not be empty")
        if not isinstance(self.start, datetime) or self.start.utcoffset() is None:
            raise ValueError("start: must be a timezone-aware datetime")
        if self.direction not in ("out", "in"):
            raise ValueError(f"direction: must be 'out' or 'in', got {self.direction!r}")
        if isinstance(self.duration, bool) or not isinstance(self.duration, int) or self.duration < 0:
            raise ValueError(f"duration: must be whole seconds >= 0, got {self.duration!r}")
        if not self.destination.isascii() or not self.destination.isdigit():
            raise ValueError(f"destination: must be digits, got {self.destination!r}")
        if self.kind not in ("call", "fax"):
            raise ValueError(f"kind: must be 'call' or 'fax', got {self.kind!r}")
        normalize_disposition(self.disposition)
        for name in ("carrier_cost", "did_rate"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite() or value < 0):
                raise ValueError(f"{name}: must be a non-negative Decimal, got {value!r}")


@dataclass(frozen=True, slots=True)
class RatedCall:
    """The rating of one call; amounts are None only when the call is unrated."""

    call_id: str
    billable_seconds: int
    cost_rate: Decimal | None
    cost: Decimal | None
    sell_rate: Decimal | None
    price: Decimal | None
    profit: Decimal | None
    reason: str  # onnet, free_zone, free_minutes, unrated, not_answered or ""
    country: str | None
    route: str | None
    free_minutes_drawn: int = 0


class Quote(NamedTuple):
    """What a call to a destination would cost and sell for, and the rule that priced it."""

    country: str | None
    route: str
    cost_rate: Decimal | None
    sell_rate: Decimal | None
    rule: str  # onnet, free_zone, area_rate, markup or unrated
    increment: int | None
    destination_name: str


class Resolution(NamedTuple):
    """How one destination prefix rates (cached per prefix by the engine)."""

    country: str | None
    route: str
    cost_micro: int | None  # None: no carrier prefix on the route (unrated)
    increment: int
    sell_micro: int | None  # what the package sells at (0 in a free zone)
    markup_micro: int | None  # the plain markup, used for sent faxes
    rule: str  # free_zone, area_rate, markup or unrated
    destination_name: str


# What rate_parts returns: (billable s, cost rate µ, cost 1e-4, sell rate µ, reason, draws?, resolution).
RateParts = tuple[int, int | None, int | None, int | None, str, bool, Resolution | None]

_ABSENT = object()


class RatingEngine:
    """Per (package, deck) lookups with a memo per deciding prefix; integer arithmetic."""

    def __init__(
        self, package: PackageRules, deck: RateDeck, onnet_numbers: Iterable[str] = (), *, memoize: bool = True
    ) -> None:
        self.package = package
        self.deck = deck
        self.pulse = package.pulse
        self.onnet_free = package.onnet_free
        self.onnet_numbers = frozenset(onnet_numbers)
        self.did_micro = to_micro(package.did_rate)
        self._area_prefix = {a.prefix: to_micro(a.rate) for a in package.area_rates if a.prefix is not None}
        self._area_lens = sorted({len(p) for p in self._area_prefix}, reverse=True)
        self._area_country = {a.country: to_micro(a.rate) for a in package.area_rates if a.country is not None}
        self._fz_prefixes = tuple(z.prefix for z in package.free_zones if z.prefix is not None)
        self._fz_countries = frozenset(z.country for z in package.free_zones if z.country is not None)
        maxes = [to_micro(z.max_rate) for z in package.free_zones if z.max_rate is not None]
        self._fz_max = max(maxes) if maxes else None
        # sell = round6((cost + fixed) * (1 + pct / 100)) in integers, with pct = p / q exactly.
        p, q = package.markup_percent.as_integer_ratio()
        self._fixed_micro = to_micro(package.markup_fixed)
        self._markup_num, self._markup_den = 100 * q + p, 100 * q
        # A destination rates like its longest prefix among all the prefixes any rule looks at
        # (deck, area rates, free zones, country keys). `memo` maps each of them to its
        # Resolution (None until first needed); `memo_lengths` lists their lengths, longest
        # first. Hot loops may probe them directly.
        self.memo: dict[str, Resolution | None] | None = None
        self.memo_lengths: list[int] = []
        if memoize:
            keys = deck.prefixes() | set(self._area_prefix) | set(self._fz_prefixes) | country_key_prefixes() | {""}
            self.memo = dict.fromkeys(keys)
            self.memo_lengths = sorted({len(k) for k in keys}, reverse=True)

    def resolve(self, destination: str) -> Resolution:
        """The resolution of a destination (memoised on its deciding prefix)."""
        memo = self.memo
        if memo is None:
            return self.resolve_uncached(destination)
        for n in self.memo_lengths:
            key = destination[:n]
            res = memo.get(key, _ABSENT)
            if res is _ABSENT:
                continue
            if res is None:
                res = memo[key] = self.resolve_uncached(key)
            return res  # type: ignore[return-value]
        raise AssertionError("unreachable: the empty prefix is always present")

    def resolve_uncached(self, digits: str) -> Resolution:
        """Work out country, route, carrier rate and sell rate of a destination."""
        country = country_of(digits)
        route = route_for(country, self.package)
        entry = self.deck.lookup(route, digits)
        if entry is None:
            return Resolution(country, route, None, 0, None, None, "unrated", "")
        cost = entry.rate_micro
        num = (cost + self._fixed_micro) * self._markup_num
        mark = (2 * num + self._markup_den) // (2 * self._markup_den)  # exact, half-up: sell_rate_for()
        if (
            country in self._fz_countries
            or (self._fz_max is not None and cost <= self._fz_max)
            or digits.startswith(self._fz_prefixes)
        ):
            return Resolution(country, route, cost, entry.increment, 0, mark, "free_zone", entry.destination)
        area = None
        for n in self._area_lens:
            area = self._area_prefix.get(digits[:n])
            if area is not None:
                break
        if area is None:
            area = self._area_country.get(country)  # type: ignore[arg-type]
        if area is not None:
            return Resolution(country, route, cost, entry.increment, area, mark, "area_rate", entry.destination)
        return Resolution(country, route, cost, entry.increment, mark, mark, "markup", entry.destination)

    def rate_parts(
        self,
        inbound: bool,
        answered: bool,
        duration: int,
        destination: str,
        onnet: bool,
        did_micro: int | None = None,
        fax: bool = False,
    ) -> RateParts:
        """Rate before free minutes: (billable s, cost rate µ, cost 1e-4, sell rate µ, reason, draws?, res).

        `onnet` says the other party is a platform number; `draws?` says the call may
        take free minutes (it has a price to save), which the caller applies in start order.
        """
        pulse = self.pulse
        if inbound:
            did_sell = self.did_micro if did_micro is None else did_micro
            if not answered or duration <= 0:
                return 0, 0, 0, did_sell, "not_answered", False, None
            billable = -(-duration // pulse) * pulse
            if onnet and self.onnet_free:
                return billable, 0, 0, 0, "onnet", False, None
            return billable, 0, 0, did_sell, "", did_sell > 0, None
        res = self.resolve(destination)
        cost_rate = res.cost_micro
        sell = res.markup_micro if fax else res.sell_micro
        if not answered or duration <= 0:
            return 0, cost_rate, 0, sell, "not_answered", False, res
        billable = -(-duration // pulse) * pulse
        if onnet and self.onnet_free and not fax:
            return billable, 0, 0, 0, "onnet", False, res
        if cost_rate is None:
            return billable, None, None, None, "unrated", False, res
        incr = res.increment
        cost = (cost_rate * (-(-duration // incr) * incr) * 2 + 6000) // 12000
        if res.rule == "free_zone" and not fax:
            return billable, cost_rate, cost, 0, "free_zone", False, res
        return billable, cost_rate, cost, sell, "", sell > 0 and not fax, res  # type: ignore[operator]

    def quote(self, destination: str, *, onnet: bool = False) -> Quote:
        """A rate lookup for the UI: country, route, cost and sell rate, and the pricing rule."""
        res = self.resolve(destination)
        if onnet and self.onnet_free:
            return Quote(res.country, res.route, Decimal("0.000000"), Decimal("0.000000"), "onnet", None, "")
        if res.cost_micro is None:
            return Quote(res.country, res.route, None, None, "unrated", None, "")
        return Quote(
            res.country,
            res.route,
            from_micro(res.cost_micro),
            from_micro(res.sell_micro),  # type: ignore[arg-type]
            res.rule,
            res.increment,
            res.destination_name,
        )


def quote(destination: str, package: PackageRules, deck: RateDeck, *, onnet: bool = False) -> Quote:
    """One-off rate lookup for a destination (build a RatingEngine to quote many)."""
    if not destination.isascii() or not destination.isdigit():
        raise ValueError(f"destination: must be digits, got {destination!r}")
    return RatingEngine(package, deck, memoize=False).quote(destination, onnet=onnet)


def utc_date(start: datetime) -> date:
    """The UTC calendar date of a timezone-aware instant."""
    if start.tzinfo is not UTC:
        start = start.astimezone(UTC)
    return start.date()


class Rater:
    """Rates batches of calls for one package, drawing free minutes from per-account pools.

    `pools` maps (account, cycle_start) to minutes already used; it is updated in place,
    so the services layer can persist it and rate the next batch incrementally. Cycles
    start on `anchor` (default: the package's billing_anchor) and every month after it.
    """

    def __init__(
        self,
        package: PackageRules,
        deck: RateDeck,
        *,
        onnet_numbers: Iterable[str] = (),
        pools: MutableMapping[PoolKey, int] | None = None,
        anchor: date | None = None,
        engine: RatingEngine | None = None,
    ) -> None:
        self.package = package
        # `engine`: one built for this package and deck (and on-net numbers) already, to share its memo.
        self.engine = engine if engine is not None else RatingEngine(package, deck, onnet_numbers)
        self.pools: MutableMapping[PoolKey, int] = {} if pools is None else pools
        self.anchor = anchor if anchor is not None else package.billing_anchor
        if package.free_minutes > 0 and self.anchor is None:
            raise ValueError("free minutes need a billing anchor (the cycle start date)")

    def rate(self, calls: Iterable[Call]) -> list[RatedCall]:
        """Rate calls; free minutes are drawn in (start, call_id) order, results keep input order."""
        calls = list(calls)
        eng = self.engine
        parts = []
        draws = []
        for i, c in enumerate(calls):
            inbound = c.direction == "in"
            answered = normalize_disposition(c.disposition) == ANSWERED
            onnet = c.onnet or (c.caller if inbound else c.destination) in eng.onnet_numbers
            did = to_micro(c.did_rate) if c.did_rate is not None else None
            p = eng.rate_parts(inbound, answered, c.duration, c.destination, onnet, did, c.kind == "fax")
            parts.append(p)
            if p[5] and self.package.free_minutes > 0:
                draws.append((c.start, c.call_id, i))
        drawn: dict[int, tuple[int, int]] = {}
        draws.sort()
        for start, _cid, i in draws:
            c = calls[i]
            key = (c.account, cycle_start(self.anchor, utc_date(start)))  # type: ignore[arg-type]
            used = self.pools.get(key, 0)
            took, billable = draw_free_minutes(c.duration, self.package.free_minutes - used, eng.pulse)
            if took:
                self.pools[key] = used + took
            drawn[i] = (took, billable)
        return [self._finish(c, p, drawn.get(i)) for i, (c, p) in enumerate(zip(calls, parts, strict=True))]

    def _finish(self, c: Call, p: RateParts, draw: tuple[int, int] | None) -> RatedCall:
        billable, cost_rate, cost, sell, reason, _eligible, res = p
        took = 0
        if draw is not None:
            took, billable = draw
            if billable == 0:
                reason = "free_minutes"
        if c.carrier_cost is not None:
            cost_d: Decimal | None = round4(c.carrier_cost)
        else:
            cost_d = None if cost is None else Decimal(cost).scaleb(-4)
        # Only an unrated call has an unknown price; an unanswered one costs 0 whatever its rate.
        price_d = None if reason == "unrated" else Decimal(_amount4(sell or 0, billable)).scaleb(-4)
        profit = None if price_d is None or cost_d is None else price_d - cost_d
        return RatedCall(
            call_id=c.call_id,
            billable_seconds=billable,
            cost_rate=None if cost_rate is None else _rate_of(cost_rate),
            cost=cost_d,
            sell_rate=None if sell is None else _rate_of(sell),
            price=price_d,
            profit=profit,
            reason=reason,
            country=res.country if res is not None else None,
            route=res.route if res is not None else None,
            free_minutes_drawn=took,
        )


# Rates repeat through a batch (one per deck prefix): each becomes a Decimal once. Decimals are immutable.
_rate_of = lru_cache(maxsize=1 << 16, typed=True)(from_micro)


def rate_calls(
    calls: Iterable[Call],
    package: PackageRules,
    deck: RateDeck,
    *,
    onnet_numbers: Iterable[str] = (),
    pools: MutableMapping[PoolKey, int] | None = None,
    anchor: date | None = None,
) -> list[RatedCall]:
    """Rate calls in one go (see Rater); `pools` holds minutes already used and is updated."""
    return Rater(package, deck, onnet_numbers=onnet_numbers, pools=pools, anchor=anchor).rate(calls)


__all__ = [
    "MICRO",
    "Call",
    "Quote",
    "RatedCall",
    "Rater",
    "RatingEngine",
    "Resolution",
    "amount_for",
    "billable_seconds",
    "draw_free_minutes",
    "markup",
    "normalize_disposition",
    "quote",
    "rate_calls",
    "sell_rate_for",
    "utc_date",
]
