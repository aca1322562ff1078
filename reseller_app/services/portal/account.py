"""What a logged-in client reads about its own account: transactions, sub-accounts and numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.enums import CALL_TYPES
from reseller_app.db import session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import Cdr, Client, Did, LedgerEntry, Package, SubAccount
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.common import descriptions
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.services.common.lookup import own_account, owned, reseller_settings
from reseller_app.services.common.paging import page_size as page_size_of
from reseller_app.services.common.paging import read_page
from reseller_app.services.settings.branding import portal_languages

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class PortalView:
    """What the client's portal shows: the view setting and services of its package, or of its reseller."""

    view_setting: str
    services: tuple[str, ...]
    show_sip_password: bool
    did_purchase: bool
    editable: dict[int, tuple[str, ...]] = field(default_factory=dict)  # sub-account id -> editable fields
    language: str = ""  # the portal language the client chose ("" until they choose)

    @property
    def simple(self) -> bool:
        """Simple view (with or without the services page)."""
        return self.view_setting in ("simple", "simple_hide")

    @property
    def services_page(self) -> bool:
        """Whether the Services page exists for this client."""
        return self.view_setting != "simple_hide"


def view_for(session: Session, client: Client) -> PortalView:
    """The effective portal configuration of a client.

    A package with service_config "package" replaces the reseller's defaults; when a client's sub-accounts carry
    several such packages, the oldest sub-account's package decides. Read once per database session.
    """
    views: dict[int, PortalView] = session.info.setdefault("portal_views", {})
    if client.id not in views:
        views[client.id] = _view_for(session, client)
    return views[client.id]


def _view_for(session: Session, client: Client) -> PortalView:
    s = reseller_settings(session, client.reseller_id)
    pkgs = session.exec(
        select(SubAccount.id, Package)
        .join(Package, SubAccount.package_id == Package.id)
        .where(SubAccount.client_id == client.id)
        .order_by(SubAccount.id)
    ).all()
    own = next((p for _, p in pkgs if p.service_config == "package"), None)
    view, services = (own.view_setting, own.services) if own else (s.view_setting, s.services)
    return PortalView(
        view_setting=view if view in ("standard", "simple", "simple_hide") else "standard",
        services=tuple(str(x) for x in (services or [])),
        show_sip_password=s.show_sip_password,
        did_purchase=any(p.allow_did_purchase for _, p in pkgs),
        editable={sid: tuple(p.subaccount_editable or []) for sid, p in pkgs},
        language=client.language or "",
    )


def portal_view(actor: Actor) -> PortalView:
    """The logged-in client's effective view settings and services."""
    require_client(actor)
    with session_scope() as session:
        return view_for(session, own_account(session, actor))


def set_language(actor: Actor, code: str) -> str:
    """Store the portal language the client chose (one the reseller enabled); returns its code."""
    require_client(actor)
    with session_scope() as session:
        client = own_account(session, actor)
        enabled = portal_languages(reseller_settings(session, client.reseller_id))[0].split(",")
        if code not in enabled:
            raise ValidationFailed({"language": _("Choose one of the portal's languages.")})
        client.language = code
        session.add(client)
        return code


def require_service(session: Session, client: Client, service: str) -> PortalView:
    """The client's view, when `service` is on its Services page; otherwise refuse."""
    view = view_for(session, client)
    if not view.services_page or service not in view.services:
        raise Forbidden(_("This service is not available."))
    return view


def balance_version(actor: Actor) -> str:
    """A cheap fingerprint of the client's money: it changes when a call is rated or a payment is posted."""
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        last, calls = session.exec(
            select(
                select(func.max(LedgerEntry.id)).where(LedgerEntry.client_id == c.id).scalar_subquery(),
                select(func.max(Cdr.id)).where(Cdr.client_id == c.id).scalar_subquery(),
            )
        ).one()
        return f"{last or 0}:{calls or 0}:{c.balance}:{c.status}"


def transactions(actor: Actor, page: int = 1, page_size: int = 20) -> dict:
    """One page of the client's ledger, newest first."""
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        base = select(LedgerEntry).where(LedgerEntry.client_id == c.id)
        order = (LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        w, rows = read_page(session, base, page, page_size_of(page_size, 20), *order)
        items = [
            {
                "date": fmt.when(e.created_at, c.timezone),
                "type": fmt.ledger_kind(e.kind),
                "description": descriptions.posting(e.description, e.kind, e.reference),
                "amount": fmt.posting(e.amount),
                "negative": "1" if e.amount < 0 else "",
            }
            for e in rows
        ]
    return w.page_of(items).as_dict()


def subaccounts_with_packages(session: Session, client: Client) -> list[tuple[SubAccount, Package | None]]:
    """The client's sub-accounts by name, each with its package (None for none)."""
    return list(
        session.exec(
            select(SubAccount, Package)
            .join(Package, SubAccount.package_id == Package.id, isouter=True)
            .where(SubAccount.client_id == client.id)
            .order_by(SubAccount.account)
        ).all()
    )


def services(actor: Actor) -> dict:
    """The client's sub-accounts (with SIP passwords only when the reseller shows them) and numbers."""
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        s = reseller_settings(session, actor.reseller_id)
        subs = subaccounts_with_packages(session, c)
        dids = session.exec(select(Did).where(Did.client_id == c.id).order_by(Did.number)).all()
        sub_names = {sa.id: sa.account for sa, _ in subs}
        return {
            "show_sip_password": s.show_sip_password,
            "subaccounts": [
                {
                    "account": sa.account,
                    "description": sa.description,
                    "package": p.name if p else "—",
                    "password": sa.sip_password if s.show_sip_password else "",
                    "status": _("Blocked") if sa.blocked else _("Active"),
                }
                for sa, p in subs
            ],
            "dids": [
                {
                    "number": d.number,
                    "kind": _("Fax") if d.kind == "fax" else _("Voice"),
                    "rate_center": d.rate_center,
                    "routes_to": sub_names.get(d.sub_account_id, "—"),
                    "monthly": fmt.money(d.monthly_fee),
                }
                for d in dids
            ],
        }


@dataclass(frozen=True)
class CdrFilter:
    """Validated call-history filters: a UTC range, dispositions and one sub-account."""

    start: datetime | None = None
    end: datetime | None = None
    dispositions: tuple[str, ...] = ()
    sub_account_id: int | None = None


def _day(raw: str, what: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({what: _("Enter a date as YYYY-MM-DD.")}) from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown or malformed zone name falls back to UTC
        return ZoneInfo("UTC")


def make_filter(
    session: Session,
    actor: Actor,
    client: Client,
    *,
    date_from: str = "",
    date_to: str = "",
    types: list[str] | tuple[str, ...] = (),
    sub_account_id: str | int | None = None,
) -> CdrFilter:
    """Check the filters a client asked for: dates are whole days in the client's time zone."""
    first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
    if first and last and last < first:
        raise ValidationFailed({"date_to": _("The end date is before the start date.")})
    if first and last and (last - first).days > MAX_RANGE_DAYS:
        raise ValidationFailed({"date_to": _("Choose at most {n} days.").format(n=MAX_RANGE_DAYS)})
    zone = _zone(client.timezone)
    start = datetime.combine(first, time(0), tzinfo=zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone) if last else None
    picked = []
    for t in types or ():
        if t not in CALL_TYPES:
            raise ValidationFailed({"types": _("Unknown call type.")})
        picked.append(CALL_TYPES[t])
    # Simple view has no call-type filters: a hand-made request with some is answered unfiltered.
    if view_for(session, client).simple:
        picked = []
    sub_id = None
    if sub_account_id not in (None, "", "all"):
        sub_id = owned(session, actor, SubAccount, sub_account_id, "sub-account", client_id=client.id).id
    return CdrFilter(start=start, end=end, dispositions=tuple(sorted(set(picked))), sub_account_id=sub_id)


def _cdr_query(client: Client, f: CdrFilter):  # noqa: ANN202 - a SQLModel select
    stmt = select(Cdr).where(Cdr.client_id == client.id)
    if f.start is not None:
        stmt = stmt.where(Cdr.start >= f.start)
    if f.end is not None:
        stmt = stmt.where(Cdr.start < f.end)
    if f.dispositions:
        stmt = stmt.where(Cdr.disposition.in_(f.dispositions))
    if f.sub_account_id is not None:
        stmt = stmt.where(Cdr.sub_account_id == f.sub_account_id)
    return stmt


def _cdr_row(r: Cdr, tz: str) -> dict[str, str]:
    return {
        "date": fmt.when(r.start, tz),
        "direction": fmt.direction(r.direction),
        "callerid": fmt.caller(r.callerid),
        "destination": r.destination,
        "account": r.account,
        "disposition": fmt.disposition(r.disposition),
        "duration": fmt.duration(r.duration),
        "rate": fmt.rate(r.sell_rate),
        "price": fmt.money(r.price, 4),
        "path": r.call_path,
    }


def subaccount_choices(actor: Actor) -> list[dict[str, str]]:
    """The client's sub-accounts for the call-history filter."""
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        subs = session.exec(select(SubAccount).where(SubAccount.client_id == c.id).order_by(SubAccount.account)).all()
        return [{"id": str(s.id), "account": s.account} for s in subs]


def calls(
    actor: Actor,
    page: int = 1,
    page_size: int = 25,
    *,
    date_from: str = "",
    date_to: str = "",
    types: list[str] | tuple[str, ...] = (),
    sub_account_id: str | int | None = None,
) -> dict:
    """One page of the client's filtered call history, newest first, in the client's time zone."""
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        view = view_for(session, c)
        if "cdr" not in view.services:
            raise Forbidden(_("The call history is not available."))
        f = make_filter(
            session, actor, c, date_from=date_from, date_to=date_to, types=types, sub_account_id=sub_account_id
        )
        order = (Cdr.start.desc(), Cdr.id.desc())
        w, rows = read_page(session, _cdr_query(c, f), page, page_size_of(page_size, 25), *order)
        items = [_cdr_row(r, c.timezone) for r in rows]
    return w.page_of(items).as_dict()


CSV_HEADER = [
    "date",
    "direction",
    "callerid",
    "destination",
    "account",
    "disposition",
    "duration",
    "rate",
    "price",
    "path",
]
# The header row of the export in a language other than English (English keeps the column keys above, which
# spreadsheets and scripts already read).
CSV_TITLES = {
    "date": N_("Date"),
    "direction": N_("Direction"),
    "callerid": N_("Caller ID"),
    "destination": N_("Destination"),
    "account": N_("Sub-account"),
    "disposition": N_("Result"),
    "duration": N_("Duration"),
    "rate": N_("Rate"),
    "price": N_("Price"),
    "path": N_("Went to"),
}


def csv_header() -> list[str]:
    """The export's header row in the current language."""
    if i18n.current_language() == i18n.SOURCE:
        return list(CSV_HEADER)
    return [_(CSV_TITLES[k]) for k in CSV_HEADER]


def export_language(actor: Actor, chosen: str = "") -> str:
    """The language of a client's export: their stored one, else the one their browser shows (`chosen`)."""
    require_client(actor)
    with session_scope() as session:
        client = own_account(session, actor)
        enabled = portal_languages(reseller_settings(session, client.reseller_id))[0].split(",")
        return next((c for c in (client.language, chosen) if c in enabled), i18n.SOURCE)


def export_calls(
    actor: Actor,
    *,
    date_from: str = "",
    date_to: str = "",
    types: list[str] | tuple[str, ...] = (),
    sub_account_id: str | int | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, str]]:
    """Every call matching the filters, newest first as on the page, read in batches (never the whole history).

    Filters are checked before the first row is produced, so a refusal happens before any output. The batches walk
    the (client, start) index from the newest call down, keyed on (start, id).
    """
    require_client(actor)
    with session_scope() as session:
        c = own_account(session, actor)
        if "cdr" not in view_for(session, c).services:
            raise Forbidden(_("The call history is not available."))
        f = make_filter(
            session, actor, c, date_from=date_from, date_to=date_to, types=types, sub_account_id=sub_account_id
        )
        tz = c.timezone
    lang = i18n.current_language()

    def rows() -> Iterator[dict[str, str]]:
        last: tuple[datetime, int] | None = None
        while True:
            stmt = _cdr_query(c, f)
            if last is not None:
                stmt = stmt.where(or_(Cdr.start < last[0], and_(Cdr.start == last[0], Cdr.id < last[1])))
            with session_scope() as session:
                chunk = session.exec(stmt.order_by(Cdr.start.desc(), Cdr.id.desc()).limit(batch)).all()
            if not chunk:
                return
            with i18n.use_language(lang):  # formatted here: a generator runs wherever it is iterated
                out = [_cdr_row(r, tz) for r in chunk]
            yield from out
            last = (chunk[-1].start, chunk[-1].id)

    return rows()
