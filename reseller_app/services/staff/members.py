"""A reseller's staff: the owner invites by email, the invitee sets a password, the owner changes roles, disables,
enables or removes a member (their sessions end at once). Every step is in the audit log with who did it, and the
owner is emailed when a new staff member joins."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app import routes
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.models import LoginSession, Reseller, StaffMember
from reseller_app.models import utcnow as _utcnow
from reseller_app.models.staff import ROLES
from reseller_app.notify import enqueue
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.access.security import hash_password, new_token, password_problem, token_hash
from reseller_app.services.common import audit
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.lookup import owned
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import ROLE_LABELS, require_role

INVITE_LIFETIME = timedelta(hours=72)
BAD_LINK = "This invitation is not valid or has expired. Ask the account owner for a new one."


def utcnow() -> datetime:
    """The current UTC time (a seam the tests move forward)."""
    return _utcnow()


def invite_url(token: str) -> str:
    """The single-use link in the invitation email."""
    return f"{settings.public_url}{routes.STAFF_ACCEPT}?token={quote(token)}"


def _role(raw: object) -> str:
    role = str(raw or "").strip().lower()
    if role not in ROLES:
        raise ValidationFailed({"role": "Choose a role: admin, support, billing or read-only."})
    return role


def _email_taken(session: Session, address: str) -> bool:
    if session.exec(select(Reseller.id).where(func.lower(Reseller.email) == address)).first() is not None:
        return True
    return session.exec(select(StaffMember.id).where(func.lower(StaffMember.email) == address)).first() is not None


def end_sessions(session: Session, staff_id: int) -> int:
    """Revoke every live session of a staff member (its "Login as client" sessions too); how many ended."""
    now = utcnow()
    n = 0
    for live in session.exec(
        select(LoginSession).where(LoginSession.staff_id == staff_id, LoginSession.revoked_at.is_(None))
    ).all():
        live.revoked_at = now
        n += 1
    return n


def _row(m: StaffMember) -> dict[str, str]:
    return {
        "id": str(m.id),
        "email": m.email,
        "name": m.name,
        "role": m.role,
        "role_label": ROLE_LABELS[m.role],
        "status": m.status,
    }


def invite(actor: Actor, email: str, role: str, name: str = "") -> int:
    """Invite a staff member by email (owner only): a single-use link valid 72 hours, through the outbox."""
    require_role(require_reseller(actor), roles.STAFF)
    try:
        address = validate_email(str(email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed({"email": "Enter a valid email address."}) from None
    role = _role(role)
    name = str(name or "").strip()[:120]
    token = new_token()
    now = utcnow()
    try:
        with session_scope() as session:
            if _email_taken(session, address):
                raise ValidationFailed({"email": "This address already has a login."})
            owner = session.get(Reseller, actor.reseller_id)
            m = StaffMember(
                reseller_id=actor.reseller_id,
                email=address,
                name=name,
                role=role,
                invite_hash=token_hash(token),
                invite_expires_at=now + INVITE_LIFETIME,
            )
            session.add(m)
            session.flush()
            company = owner.company or owner.name or owner.email
            enqueue(
                session,
                to=address,
                subject=f"You are invited to {company}'s reseller portal"[:200],
                body=(
                    f"{company} invites you to its reseller portal as {ROLE_LABELS[role]}.\n\n"
                    f"Choose your password within 72 hours with this link (it works once):\n{invite_url(token)}\n"
                ),
                reseller_id=actor.reseller_id,
                secrets=[quote(token)],
                expires_at=now + INVITE_LIFETIME,
            )
            audit.record(session, actor, "staff_invite", "staff", m.id, email=address, role=role)
            return int(m.id)
    except IntegrityError:  # the same address raced in
        raise ValidationFailed({"email": "This address already has a login."}) from None


def _live_invite(session: Session, token: str) -> StaffMember | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    m = session.exec(select(StaffMember).where(StaffMember.invite_hash == token_hash(token))).first()
    if m is None or m.status != "invited" or m.invite_expires_at is None or m.invite_expires_at <= utcnow():
        return None
    return m


def invitation(token: str) -> dict[str, str] | None:
    """What the invitation page shows (the address and role), or None for a used, expired or unknown link."""
    with session_scope() as session:
        m = _live_invite(session, token)
        if m is None:
            return None
        owner = session.get(Reseller, m.reseller_id)
        return {"email": m.email, "role": ROLE_LABELS[m.role], "company": owner.company or owner.name}


def accept(token: str, password: str, confirm: str, ip: str = "") -> None:
    """The invitee chooses a password with a live link (once); the owner is told by email."""
    problem = password_problem(password or "")
    if problem:
        raise ValidationFailed({"password": problem})
    if password != confirm:
        raise ValidationFailed({"confirm": "The two passwords differ."})
    with session_scope() as session:
        m = _live_invite(session, token)
        if m is None:
            raise ValidationFailed({"form": BAD_LINK})
        m.password_hash = hash_password(password)
        m.status = "active"
        m.invite_hash = None
        m.invite_expires_at = None
        me = Actor("reseller", m.reseller_id, ip=ip, staff_id=m.id, staff_role=m.role)
        audit.record(session, me, "staff_joined", "staff", m.id, email=m.email, role=m.role)
        owner = session.get(Reseller, m.reseller_id)
        enqueue(
            session,
            to=owner.email,
            subject="A new staff member joined your reseller portal",
            body=(
                f"{m.email} accepted your invitation and can now sign in as {ROLE_LABELS[m.role]}.\n"
                "If you did not invite this person, disable them on the Staff page at once.\n"
            ),
            reseller_id=m.reseller_id,
        )


def list_staff(actor: Actor) -> list[dict[str, str]]:
    """The reseller's staff (removed members aside), for every role to read."""
    require_reseller(actor)
    with session_scope() as session:
        rows = session.exec(
            select(StaffMember)
            .where(StaffMember.reseller_id == actor.reseller_id, StaffMember.status != "removed")
            .order_by(StaffMember.email)
        ).all()
        return [_row(m) for m in rows]


def _member(session: Session, actor: Actor, staff_id: object) -> StaffMember:
    m = owned(session, actor, StaffMember, staff_id, "staff member")
    if m.status == "removed":
        raise ValidationFailed({"form": "This staff member was removed."})
    return m


def change_role(actor: Actor, staff_id: object, role: str) -> None:
    """Give a staff member another role (owner only); it applies to their next request."""
    require_role(require_reseller(actor), roles.STAFF)
    role = _role(role)
    with session_scope() as session:
        m = _member(session, actor, staff_id)
        before, m.role = m.role, role
        audit.record(session, actor, "staff_role", "staff", m.id, email=m.email, role=role, was=before)


def set_enabled(actor: Actor, staff_id: object, enabled: bool) -> None:
    """Disable a staff member (their sessions end at once) or enable a disabled one again (owner only)."""
    require_role(require_reseller(actor), roles.STAFF)
    with session_scope() as session:
        m = _member(session, actor, staff_id)
        if enabled:
            if m.status != "disabled":
                raise ValidationFailed({"form": "Only a disabled staff member can be enabled."})
            m.status = "active"
        else:
            m.status = "disabled"
            end_sessions(session, m.id)
        audit.record(session, actor, "staff_enable" if enabled else "staff_disable", "staff", m.id, email=m.email)


def remove(actor: Actor, staff_id: object) -> None:
    """Remove a staff member (owner only): sessions end, the login goes, the row stays for the audit log."""
    require_role(require_reseller(actor), roles.STAFF)
    with session_scope() as session:
        m = _member(session, actor, staff_id)
        email = m.email
        end_sessions(session, m.id)
        m.status = "removed"
        m.name = m.name or email  # the audit log still names who it was
        m.email = f"removed-{m.id}@staff.invalid"  # the address may be invited again
        m.password_hash = ""
        m.invite_hash = None
        audit.record(session, actor, "staff_remove", "staff", m.id, email=email)


def require_two_factor(actor: Actor, on: bool) -> None:
    """The owner requires (or stops requiring) two-factor sign-in for all staff: until a staff member sets it up,
    every change they try is refused (reads still work, and so does setting it up)."""
    require_role(require_reseller(actor), roles.STAFF)
    with session_scope() as session:
        owner = session.get(Reseller, actor.reseller_id)
        owner.require_staff_2fa = bool(on)
        audit.record(session, actor, "staff_require_2fa", "reseller", owner.id, on=bool(on))


def two_factor_required(actor: Actor) -> bool:
    """Whether the owner requires two-factor sign-in for staff."""
    require_reseller(actor)
    with session_scope() as session:
        return bool(session.get(Reseller, actor.reseller_id).require_staff_2fa)
