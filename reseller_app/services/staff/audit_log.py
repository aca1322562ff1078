"""The reseller's Audit log page: who did what, when and from which address, filtered, paged in SQL, and a CSV of
every entry of the filters, streamed in keyset-ordered chunks.

The rows are written by `services/common/audit.record` in the transaction of each change; the database refuses
to edit or delete them (alembic 0017). A reseller reads only its own rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, or_, select

from reseller_app.db import read_scope, session_scope
from reseller_app.models import AuditLog, Client, StaffMember
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.csv_out import csv_line, csv_text
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.lookup import owned, row_id
from reseller_app.services.common.paging import page_size, read_page
from reseller_app.services.reporting.export import Export, keyset_chunks
from reseller_app.services.reporting.filters import Filters, client_name, parse_filters
from reseller_app.services.staff.roles import ROLE_LABELS

PAGE_SIZES = (25, 50, 100)
CSV_HEADER = ["time_utc", "who", "address", "kind", "action", "object", "detail"]

# Who acted: the reseller's owner, its staff (all, or one: "staff-<id>"), its clients (or the reseller acting as
# one), or the system's jobs.
PEOPLE = ("owner", "staff", "clients", "system")

# What kind of event: the actions each kind covers (exact names, or prefixes ending in "%").
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "logins": ("Sign-ins and failures", ("login", "login_failed", "logout")),
    "impersonation": ("Login as client", ("impersonate",)),
    "money": (
        "Payments, charges and reversals",
        ("add_%", "reverse", "deposit_%", "credit_note", "hostname_fee", "balance_mismatch"),
    ),
    "configuration": (
        "Configuration",
        ("config_%", "portal_%", "upload_image", "hostname_%", "set_carrier", "tax_exemption"),
    ),
    "packages": ("Packages and rates", ("package%", "area_rate%", "free_zone%")),
    "api": ("API settings and keys", ("api_%",)),
    "staff": ("Staff", ("staff_%",)),
    "clients": (
        "Clients and services",
        (
            "create_client",
            "update_client",
            "delete_client",
            "activate_client",
            "set_low_balance",
            "signup",
            "password_reset%",
            "%subaccount",
            "%_did",
            "%voicemail",
            "add_forwarding",
            "set_sms",
        ),
    ),
}

ACTOR_LABELS = {"reseller": "Owner", "system": "System"}


@dataclass(frozen=True)
class AuditFilters:
    """The page's filters: a period of whole UTC days (the reports' own), and optionally a person, kind, client."""

    period: Filters
    person: str = ""
    kind: str = ""


def parse(raw: dict) -> AuditFilters:
    """Validate the filters as a browser sent them (strings)."""
    f = parse_filters({k: raw.get(k) for k in ("date_from", "date_to", "client_id")})
    person = str(raw.get("person") or "").strip().lower()
    person = "" if person == "all" else person
    one_staff = person.startswith("staff-") and row_id(person.removeprefix("staff-")) is not None
    if person and person not in PEOPLE and not one_staff:
        raise ValidationFailed({"person": "Choose who from the list."})
    kind = str(raw.get("kind") or "").strip().lower()
    kind = "" if kind == "all" else kind
    if kind and kind not in KINDS:
        raise ValidationFailed({"kind": "Choose a kind of event from the list."})
    return AuditFilters(f, person, kind)


def _action_matches(patterns: tuple[str, ...]) -> sa.ColumnElement[bool]:
    return or_(*[AuditLog.action.like(p) if "%" in p else AuditLog.action == p for p in patterns])


def _where(session: Session, actor: Actor, f: AuditFilters) -> list:
    p = f.period
    cond = [AuditLog.reseller_id == actor.reseller_id, AuditLog.created_at >= p.start, AuditLog.created_at < p.end]
    if f.person == "owner":
        cond += [AuditLog.actor_role == "reseller", AuditLog.staff_id.is_(None)]
    elif f.person == "staff":
        cond.append(AuditLog.staff_id.is_not(None))
    elif f.person.startswith("staff-"):
        m = owned(session, actor, StaffMember, f.person.removeprefix("staff-"), "staff member")
        cond.append(AuditLog.staff_id == m.id)
    elif f.person == "clients":
        cond.append(AuditLog.actor_role == "client")
    elif f.person == "system":
        cond.append(AuditLog.actor_role == "system")
    if f.kind:
        cond.append(_action_matches(KINDS[f.kind][1]))
    if p.client_id is not None:
        owned(session, actor, Client, p.client_id, "client")  # a deleted client's history stays readable
        cond.append(
            or_(
                sa.and_(AuditLog.actor_role == "client", AuditLog.actor_id == p.client_id),
                sa.and_(AuditLog.object_type == "client", AuditLog.object_id == p.client_id),
            )
        )
    return cond


def _joined(*columns: object):  # noqa: ANN202 - a SQLModel select
    # The acting client's name (for rows by a client) and the acting staff member; one outer join each.
    return (
        select(*columns, AuditLog, Client.firstname, Client.lastname, Client.email, StaffMember)
        .join(
            Client,
            sa.and_(AuditLog.actor_role == "client", Client.id == AuditLog.actor_id),
            isouter=True,
        )
        .join(StaffMember, StaffMember.id == AuditLog.staff_id, isouter=True)
    )


def _stmt(session: Session, actor: Actor, f: AuditFilters):  # noqa: ANN202 - a SQLModel select
    return _joined().where(*_where(session, actor, f))


def _who(row: AuditLog, first: str | None, last: str | None, email: str | None, staff: StaffMember | None) -> str:
    by = ""
    if staff is not None:
        by = f"{ROLE_LABELS.get(staff.role, staff.role)} {staff.name or staff.email}"
        if row.actor_role != "client":
            return by
        by = f" (by {by})"
    if row.actor_role == "client":
        return (f"Client {client_name(first, last, email)}" if email else "Client") + by
    return ACTOR_LABELS.get(row.actor_role, row.actor_role)


def _object(row: AuditLog) -> str:
    if not row.object_type:
        return ""
    return f"{row.object_type} #{row.object_id}" if row.object_id is not None else row.object_type


def _detail(row: AuditLog) -> str:
    return "; ".join(f"{k}: {v}" for k, v in sorted((row.detail or {}).items()))


def kind_of(action: str) -> str:
    """The label of the kind an action belongs to ("Other" when none)."""
    for label, patterns in KINDS.values():
        for p in patterns:
            if (p.startswith("%") and action.endswith(p.strip("%"))) or (
                p.endswith("%") and action.startswith(p.rstrip("%"))
            ):
                return label
            if p == action:
                return label
    return "Other"


def entries(actor: Actor, raw: dict, page: object = 1) -> dict:
    """One page of the reseller's audit log, newest first, for the filters in `raw`."""
    require_reseller(actor)
    f = parse(raw)
    size = page_size(raw.get("per_page"), 50, PAGE_SIZES)
    with session_scope() as session:
        w, rows = read_page(
            session, _stmt(session, actor, f), page, size, AuditLog.created_at.desc(), AuditLog.id.desc()
        )
        items = [
            {
                "id": str(a.id),
                "when": fmt.when(a.created_at),
                "who": _who(a, fn, ln, em, st),
                "ip": a.ip or "—",
                "kind": kind_of(a.action),
                "action": a.action,
                "object": _object(a),
                "detail": _detail(a),
            }
            for a, fn, ln, em, st in rows
        ]
        return w.page_of(items).as_dict()


def entries_export(actor: Actor, raw: dict) -> Export:
    """Every entry of the filters as CSV (the one CSV writer), oldest first, times in UTC; the caller and the filters
    are checked now, then the rows are read lazily in keyset-ordered chunks of short transactions."""
    require_reseller(actor)
    f = parse(raw)
    with read_scope() as session:
        cond = _where(session, actor, f)
        total = int(session.exec(select(func.count(AuditLog.id)).where(*cond)).one())
    stmt = _joined(AuditLog.created_at, AuditLog.id).where(*cond)

    def lines() -> Iterator[str]:
        yield csv_line(CSV_HEADER)
        for chunk in keyset_chunks(stmt, AuditLog.created_at, AuditLog.id):
            yield csv_text(
                [
                    a.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    _who(a, fn, ln, em, st),
                    a.ip,
                    kind_of(a.action),
                    a.action,
                    _object(a),
                    _detail(a),
                ]
                for _when, _id, a, fn, ln, em, st in chunk
            )

    p = f.period
    return Export(f"audit_{p.date_from.isoformat()}_{p.date_to.isoformat()}.csv", total, lines())


def person_choices(actor: Actor) -> list[dict[str, str]]:
    """The person filter's menu: owner, all staff, each staff member, clients, system."""
    require_reseller(actor)
    with session_scope() as session:
        staff = session.exec(
            select(StaffMember).where(StaffMember.reseller_id == actor.reseller_id).order_by(StaffMember.email)
        ).all()
        each = [{"id": f"staff-{m.id}", "label": f"— {m.name or m.email}"} for m in staff]
    return [
        {"id": "owner", "label": "Owner"},
        {"id": "staff", "label": "Staff"},
        *each,
        {"id": "clients", "label": "Clients"},
        {"id": "system", "label": "System"},
    ]


def kind_choices() -> list[dict[str, str]]:
    """The kind filter's menu."""
    return [{"id": k, "label": label} for k, (label, _) in KINDS.items()]
