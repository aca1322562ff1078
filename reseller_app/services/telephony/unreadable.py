"""Call records the carrier sent that could not be read: kept and shown to the reseller, never silently dropped.

A record that cannot be read is not rated, so its call is not billed: the reseller must see it (the Overview page
lists the open ones) and bill it by hand if it was a real call, then mark it handled.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app.carrier import UnreadableRecord
from reseller_app.db import read_scope, session_scope
from reseller_app.models import UnreadableCdr, utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import audit, lookup
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

SHOWN = 20  # open records listed on the Overview page (the count says how many there are in all)


def _fingerprint(record: UnreadableRecord) -> str:
    return hashlib.sha256(record.raw.encode()).hexdigest()


def record(reseller_id: int, records: list[UnreadableRecord]) -> int:
    """Keep what the sync could not read (one transaction); returns how many records are new.

    A record seen before (every sync overlaps the previous one) only has its count and last sighting updated,
    also once the reseller has marked it handled.
    """
    if not records:
        return 0
    now = utcnow()
    new = 0
    with session_scope() as session:
        for rec in {_fingerprint(r): r for r in records}.items():
            new += _upsert(session, reseller_id, *rec, now)
    return new


def _upsert(session: Session, reseller_id: int, fingerprint: str, rec: UnreadableRecord, now) -> int:  # noqa: ANN001
    stmt = select(UnreadableCdr).where(
        UnreadableCdr.reseller_id == reseller_id, UnreadableCdr.fingerprint == fingerprint
    )
    row = session.exec(stmt).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    UnreadableCdr(
                        reseller_id=reseller_id,
                        fingerprint=fingerprint,
                        uniqueid=rec.uniqueid[:64],
                        call_date=rec.call_date[:40],
                        reason=rec.reason[:255],
                        raw=rec.raw[:2000],
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                )
                session.flush()
            return 1
        except IntegrityError:  # another sync of the same reseller stored it a moment ago
            row = session.exec(stmt).one()
    row.times_seen += 1
    row.last_seen_at = now
    return 0


def open_records(actor: Actor, limit: int = SHOWN) -> dict:
    """The reseller's unreadable records not yet marked handled: how many, and the newest `limit` for display."""
    require_reseller(actor)
    where = (UnreadableCdr.reseller_id == actor.reseller_id, UnreadableCdr.handled_at.is_(None))
    with read_scope() as session:
        count = session.exec(select(func.count(UnreadableCdr.id)).where(*where)).one()
        rows = session.exec(
            select(UnreadableCdr)
            .where(*where)
            .order_by(UnreadableCdr.first_seen_at.desc(), UnreadableCdr.id.desc())
            .limit(limit)
        ).all()
    return {
        "count": int(count),
        "rows": [
            {
                "id": str(r.id),
                "uniqueid": r.uniqueid or "—",
                "call_date": r.call_date or "—",
                "reason": r.reason,
                "raw": r.raw,
                "first_seen": r.first_seen_at.strftime("%Y-%m-%d %H:%M"),
                "times_seen": str(r.times_seen),
            }
            for r in rows
        ],
    }


def mark_handled(actor: Actor, record_id: int | str) -> None:
    """The reseller has dealt with the record (billed the call by hand, or found it was none): stop listing it.

    Billing work: it needs the money role (support and read-only staff see the list, and cannot clear it)."""
    require_role(require_reseller(actor), roles.MONEY)
    with session_scope() as session:
        row = lookup.owned(session, actor, UnreadableCdr, record_id, "record")
        if row.handled_at is None:
            row.handled_at = utcnow()
            audit.record(session, actor, "handle_unreadable_cdr", "unreadablecdr", row.id, uniqueid=row.uniqueid)
