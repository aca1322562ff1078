"""The carrier's rate deck: per route, prefix -> (rate, increment, destination name)."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from os import PathLike
from typing import NamedTuple

from .enums import ROUTES
from .money import from_micro, parse_amount, to_micro

DEFAULT_INCREMENT = 6


class LineError(ValueError):
    """A malformed line in an input file; str() reads "file:line: what is wrong"."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


class DeckEntry(NamedTuple):
    """One carrier rate: the prefix it covers, its per-minute rate (micro-units) and increment."""

    prefix: str
    destination: str
    rate_micro: int
    increment: int

    @property
    def rate(self) -> Decimal:
        """The per-minute rate as a Decimal with 6 places."""
        return from_micro(self.rate_micro)


class RateDeck:
    """Carrier rates per route ('value' / 'premium') with longest-prefix lookup."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, DeckEntry]] = {r: {} for r in ROUTES}
        self._lengths: dict[str, tuple[int, ...]] = {r: () for r in ROUTES}

    def add(
        self, route: str, prefix: str, rate: Decimal, increment: int = DEFAULT_INCREMENT, destination: str = ""
    ) -> None:
        """Add one rate; raise ValueError on a bad or duplicate entry."""
        if route not in self._routes:
            raise ValueError(f"route: must be 'value' or 'premium', got {route!r}")
        if not prefix or not prefix.isascii() or not prefix.isdigit():
            raise ValueError(f"prefix: must be digits, got {prefix!r}")
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
            raise ValueError(f"rate: must be a non-negative Decimal, got {rate!r}")
        if isinstance(increment, bool) or not isinstance(increment, int) or not 1 <= increment <= 3600:
            raise ValueError(f"increment: must be whole seconds from 1 to 3600, got {increment!r}")
        if prefix in self._routes[route]:
            raise ValueError(f"duplicate prefix {prefix} on route {route}")
        self._put(route, DeckEntry(prefix, destination, to_micro(rate), increment))

    def _put(self, route: str, entry: DeckEntry) -> None:
        self._routes[route][entry.prefix] = entry
        if len(entry.prefix) not in self._lengths[route]:
            self._lengths[route] = tuple(sorted({*self._lengths[route], len(entry.prefix)}, reverse=True))

    def lookup(self, route: str, digits: str) -> DeckEntry | None:
        """The entry for the longest prefix of `digits` on `route`, or None (unrated)."""
        table = self._routes[route]
        for n in self._lengths[route]:
            entry = table.get(digits[:n])
            if entry is not None:
                return entry
        return None

    def prefixes(self) -> set[str]:
        """Every prefix on any route."""
        return {p for table in self._routes.values() for p in table}

    def __len__(self) -> int:
        return sum(len(t) for t in self._routes.values())

    @classmethod
    def load_csv(cls, path: str | PathLike[str]) -> RateDeck:
        """Read DECK.csv (prefix,destination,route,rate,increment); raise LineError on bad lines."""
        source = str(path)
        deck = cls()
        first_line: dict[tuple[str, str], int] = {}
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            try:
                header = next(reader, None)
                if header is None:
                    raise LineError(source, 1, "empty file; expected header prefix,destination,route,rate,increment")
                cols = [h.strip().lower() for h in header]
                missing = [c for c in ("prefix", "route", "rate") if c not in cols]
                if missing:
                    raise LineError(source, 1, f"header lacks column(s) {', '.join(missing)}")
                i_prefix, i_route, i_rate = cols.index("prefix"), cols.index("route"), cols.index("rate")
                i_dest = cols.index("destination") if "destination" in cols else None
                i_inc = cols.index("increment") if "increment" in cols else None
                width = len(cols)
                routes = deck._routes
                for row in reader:
                    line = reader.line_num
                    if len(row) != width:
                        if not row or (len(row) == 1 and not row[0].strip()):
                            continue  # blank line
                        raise LineError(source, line, f"expected {width} fields, got {len(row)}")
                    prefix = row[i_prefix].strip()
                    route = row[i_route].strip().lower()
                    raw_rate = row[i_rate].strip()
                    raw_inc = row[i_inc].strip() if i_inc is not None else ""
                    destination = row[i_dest].strip() if i_dest is not None else ""
                    fast = _PLAIN_RATE.fullmatch(raw_rate)
                    if (
                        fast is None
                        or route not in routes
                        or not prefix.isdigit()
                        or not prefix.isascii()
                        or prefix in routes[route]
                        or not (raw_inc == "" or raw_inc in _INCREMENTS)
                    ):
                        _add_checked(deck, source, line, (prefix, route, raw_rate, raw_inc, destination), first_line)
                        continue
                    whole, frac = fast.group(1, 2)
                    micro = int(whole) * 1_000_000 + (int(frac.ljust(6, "0")) if frac else 0)
                    increment = _INCREMENTS[raw_inc] if raw_inc else DEFAULT_INCREMENT
                    deck._put(route, DeckEntry(prefix, destination, micro, increment))
                    first_line[(route, prefix)] = line
            except csv.Error as e:
                raise LineError(source, reader.line_num, f"bad CSV: {e}") from None
            except UnicodeDecodeError:
                raise LineError(source, reader.line_num + 1, "not valid UTF-8 text") from None
        return deck


_PLAIN_RATE = re.compile(r"([0-9]{1,12})(?:\.([0-9]{0,6}))?")
_INCREMENTS = {str(i): i for i in range(1, 3601)}


def _add_checked(
    deck: RateDeck,
    source: str,
    line: int,
    fields: tuple[str, str, str, str, str],
    first_line: dict[tuple[str, str], int],
) -> None:
    """The slow path: add a row the fast path could not take, or say what is wrong with it."""
    prefix, route, raw_rate, raw_inc, destination = fields
    try:
        rate = parse_amount(raw_rate, what="rate")
    except ValueError as e:
        raise LineError(source, line, str(e)) from None
    if raw_inc and not (raw_inc.isascii() and raw_inc.isdigit()):
        raise LineError(source, line, f"increment: {raw_inc!r} is not a whole number of seconds")
    if (route, prefix) in first_line:
        first = first_line[(route, prefix)]
        raise LineError(source, line, f"duplicate prefix {prefix} on route {route} (first on line {first})")
    try:
        deck.add(route, prefix, rate, int(raw_inc) if raw_inc else DEFAULT_INCREMENT, destination)
    except ValueError as e:
        raise LineError(source, line, str(e)) from None
    first_line[(route, prefix)] = line
