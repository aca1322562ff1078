"""Emails to the reseller's owner on sensitive events (a new staff member, the API password changed, a sign-in from
a new address), written to the outbox in the transaction of the event."""

from __future__ import annotations

from sqlmodel import Session, select

from reseller_app.models import AuditLog, Reseller
from reseller_app.notify import enqueue


def tell_owner(session: Session, reseller_id: int, subject: str, body: str) -> None:
    """Queue an email to the owner of this reseller (its login address)."""
    owner = session.get(Reseller, reseller_id)
    if owner is None:
        return
    enqueue(session, to=owner.email, subject=subject[:200], body=body, reseller_id=reseller_id)


def is_new_address(session: Session, reseller_id: int, staff_id: int | None, ip: str) -> bool:
    """Whether this login (the owner, or one staff member) never signed in from this address before."""
    if not ip:
        return False
    staff_cond = AuditLog.staff_id.is_(None) if staff_id is None else AuditLog.staff_id == staff_id
    seen = session.exec(
        select(AuditLog.id).where(
            AuditLog.reseller_id == reseller_id,
            AuditLog.actor_role == "reseller",
            AuditLog.action == "login",
            AuditLog.ip == ip,
            staff_cond,
        )
    ).first()
    return seen is None
