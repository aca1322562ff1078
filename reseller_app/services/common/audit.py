"""The audit log: one row per change made through the services layer."""

from __future__ import annotations

from sqlmodel import Session

from reseller_app.models import AuditLog
from reseller_app.services.access.actor import Actor


def record(
    session: Session, actor: Actor, action: str, obj_type: str = "", obj_id: int | None = None, **detail: object
) -> None:
    """Add an audit row in the caller's transaction."""
    session.add(
        AuditLog(
            reseller_id=actor.reseller_id,
            actor_role=actor.role,
            actor_id=actor.client_id if actor.role == "client" else actor.reseller_id,
            action=action,
            object_type=obj_type,
            object_id=obj_id,
            detail={k: str(v) for k, v in detail.items()},
            ip=actor.ip[:45],
            staff_id=actor.staff_id,
        )
    )
