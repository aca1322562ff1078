"""What every report shares: its filters (period, client, sub-account, direction, disposition), checked against the
caller, the page sizes and sort columns, and how a row names its client and shows its amounts.

The reports are split by what they read: `cdr` (calls and faxes), `financial`, `inventory` (sub-accounts and
DIDs), `rollup` (the daily roll-up the call totals come from) and `export` (CSV of any of them). Nothing loads a
table into memory: pages are LIMITed, exports walk the rows in keyset-ordered chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from reseller_app.billing.enums import DISPOSITIONS
from reseller_app.models import SubAccount, utcnow
from reseller_app.services.access.actor import Actor
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller, owned, row_id
from reseller_app.services.common.paging import page_size

ZERO = Decimal(0)
DIRECTIONS = ("in", "out")
PAGE_SIZES = (25, 50, 100)
MAX_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to: a period of whole UTC days, and optionally a client, direction, disposition."""

    date_from: date
    date_to: date  # inclusive
    client_id: int | None = None
    sub_account_id: int | None = None
    direction: str = ""
    disposition: str = ""

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.date_from, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=UTC)


def default_period(today: date | None = None) -> tuple[date, date]:
    """This month so far: the first of the month to today."""
    today = today or utcnow().date()
    return today.replace(day=1), today


def _parse_date(raw: object, name: str) -> date:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed({name: "Enter a date as YYYY-MM-DD."}) from None


def _parse_id(raw: object, name: str) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if text in ("", "all", "0"):
        return None
    rid = row_id(text)
    if rid is None:
        raise ValidationFailed({name: "Choose from the list."})
    return rid


def parse_filters(raw: dict) -> Filters:
    """Validate the filters a browser or a URL sent (strings) into a Filters."""
    today = utcnow().date()
    first, _ = default_period(today)
    date_from = _parse_date(raw.get("date_from") or first.isoformat(), "date_from")
    date_to = _parse_date(raw.get("date_to") or today.isoformat(), "date_to")
    if date_to < date_from:
        raise ValidationFailed({"date_to": "The end of the period is before its start."})
    if (date_to - date_from).days > MAX_SPAN_DAYS:
        raise ValidationFailed({"date_to": "Choose a period of at most three years."})
    direction = str(raw.get("direction") or "").strip()
    direction = "" if direction == "all" else direction
    if direction and direction not in DIRECTIONS:
        raise ValidationFailed({"direction": "Choose incoming or outgoing."})
    disposition = str(raw.get("disposition") or "").strip().upper()
    disposition = "" if disposition == "ALL" else disposition
    if disposition and disposition not in DISPOSITIONS:
        raise ValidationFailed({"disposition": "Choose a disposition from the list."})
    return Filters(
        date_from=date_from,
        date_to=date_to,
        client_id=_parse_id(raw.get("client_id"), "client_id"),
        sub_account_id=_parse_id(raw.get("sub_account_id"), "sub_account_id"),
        direction=direction,
        disposition=disposition,
    )


def check_owned(session: Session, actor: Actor, f: Filters) -> None:
    """Every id in the filters belongs to the caller's reseller (and the sub-account to the chosen client)."""
    check_client(session, actor, f.client_id)
    if f.sub_account_id is not None:
        owned(session, actor, SubAccount, f.sub_account_id, "sub-account", client_id=f.client_id)


def check_client(session: Session, actor: Actor, client_id: int | None) -> None:
    """No client (all of them), or one of the caller's."""
    if client_id is not None:
        client_of_reseller(session, actor, client_id)


def report_page_size(raw: object) -> int:
    """One of PAGE_SIZES (50 unless another was asked for)."""
    return page_size(raw, 50, PAGE_SIZES)


def order_by(columns: dict, key: str, desc: bool, tiebreak: sa.ColumnElement) -> list:
    """ORDER BY a report's sort column (the first one for an unknown key), then `tiebreak` the same way."""
    col = columns.get(key, next(iter(columns.values())))
    return [col.desc(), tiebreak.desc()] if desc else [col.asc(), tiebreak.asc()]


def dec(value: object) -> Decimal:
    """A SQL sum as a Decimal: Money sums come back as Decimal, COALESCE(…, 0) of nothing as the integer 0."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)).scaleb(-6)


def client_name(firstname: str | None, lastname: str | None, email: str | None) -> str:
    """How a row names its client ("(unassigned)" for calls of no client)."""
    if email is None:
        return "(unassigned)"
    return f"{firstname or ''} {lastname or ''}".strip() or email


def money4(amount: Decimal) -> str:
    """An amount with 4 places, as the browser shows it."""
    return fmt.money(amount, 4)


def flag(value: bool) -> str:
    """A yes/no for the browser ("1" or "")."""
    return "1" if value else ""
