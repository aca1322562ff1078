"""Login, logout, sessions and lockout for resellers and their clients."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from reseller_app.config import settings
from reseller_app.db import read_scope, session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import AuditLog, Client, LoginAttempt, LoginSession, Reseller, StaffMember, TwoFactor, utcnow
from reseller_app.services.access import abuse, two_factor
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.access.security import hash_password, new_token, token_hash, verify_password
from reseller_app.services.common import audit, lookup
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import AuthFailed, NotFound
from reseller_app.services.staff import alerts, roles
from reseller_app.services.staff.roles import require_role

LOCK_AFTER = 5
IMPERSONATION_FOR = timedelta(hours=1)
LOCK_FOR = timedelta(minutes=15)
BAD_LOGIN = N_("Incorrect email or password.")
LOCKED = N_("Too many failed attempts. This login is locked for 15 minutes.")
WAITING = N_("Your account is awaiting activation.")
PORTAL_OFF = N_("This portal is not available.")


def _attempt_row(session: Session, realm: str, login: str) -> LoginAttempt:
    stmt = select(LoginAttempt).where(LoginAttempt.realm == realm, LoginAttempt.login == login)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        row = LoginAttempt(realm=realm, login=login)
        try:
            with session.begin_nested():
                session.add(row)  # added inside the savepoint, so its rollback takes the row out again
                session.flush()
        except IntegrityError:  # a concurrent attempt on the same name inserted it first: count on that row
            row = session.exec(stmt).one()
    return row


def _locked(attempt: LoginAttempt | None, now: datetime) -> bool:
    return attempt is not None and attempt.locked_until is not None and attempt.locked_until > now


def _check(realm: str, login: str, password: str, find_hash, failed=None, ip: str = "") -> Any:  # noqa: ANN001, ANN401
    """Verify a login in a realm, applying the lockout; returns the account id or raises AuthFailed.

    Three steps, so that the password check (argon2, slow by design) holds no transaction and no lock: read the
    lockout state and the hash, verify, then record the outcome in a short write. `failed(session, account_id)`,
    when given, is called in the failure's transaction for an existing account (the audit log's "login_failed").
    An address (`ip`) past its failed sign-ins (services/access/abuse.py) is refused before anything is checked.
    """
    if abuse.login_blocked(ip):
        raise AuthFailed(_(abuse.TOO_MANY_LOGINS))
    login = login.strip().lower()
    with read_scope() as session:
        attempt = session.exec(
            select(LoginAttempt).where(LoginAttempt.realm == realm, LoginAttempt.login == login)
        ).first()
        account_id, pw_hash = find_hash(session, login)
        locked = _locked(attempt, utcnow())
    ok = verify_password(password, pw_hash) and account_id is not None  # always pay for one verification
    if locked:
        abuse.login_failed(ip)
        raise AuthFailed(_(LOCKED))
    now = utcnow()
    with session_scope() as session:
        attempt = _attempt_row(session, realm, login)
        if _locked(attempt, now):  # locked by attempts that ended while this one was verifying
            abuse.login_failed(ip)
            raise AuthFailed(_(LOCKED))
        if attempt.locked_until is not None:  # the lock has expired: start counting again
            attempt.locked_until = None
            attempt.failures = 0
        attempt.updated_at = now
        if ok:
            attempt.failures = 0
            return account_id
        attempt.failures += 1
        if attempt.failures >= LOCK_AFTER:
            attempt.locked_until = now + LOCK_FOR
            attempt.failures = 0
        if failed is not None and account_id is not None:
            failed(session, account_id)
    abuse.login_failed(ip)
    raise AuthFailed(_(BAD_LOGIN))


def _open_session(
    session: Session,
    role: str,
    reseller_id: int,
    client_id: int | None,
    by: int | None = None,
    *,
    parent: LoginSession | None = None,
    staff_id: int | None = None,
) -> str:
    token = new_token()
    expires = utcnow() + timedelta(hours=settings.session_hours)
    if by is not None:
        # "Login as client": an hour at most, and never longer than the reseller session that opened it.
        expires = min(utcnow() + IMPERSONATION_FOR, parent.expires_at if parent is not None else expires)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            role=role,
            reseller_id=reseller_id,
            client_id=client_id,
            impersonated_by=by,
            staff_id=staff_id,
            parent_session_id=parent.id if parent is not None else None,
            expires_at=expires,
        )
    )
    return token


def is_token(value: object) -> bool:
    """Whether a value from the browser (a cookie, client storage) can be a session token at all.

    Client-storage values reach the state as the browser sent them: a number, a list or an object is no session.
    """
    return isinstance(value, str) and 0 < len(value) <= 200


def end_client_sessions(session: Session, client_id: int, *, keep: int | None = None) -> int:
    """Revoke every live session of a client (its impersonations too), but `keep`; returns how many ended.

    Called in the transaction that changes the client's password: whoever knew the old one is signed out.
    """
    now = utcnow()
    n = 0
    for live in session.exec(
        select(LoginSession).where(LoginSession.client_id == client_id, LoginSession.revoked_at.is_(None))
    ).all():
        if live.id != keep:
            live.revoked_at = now
            n += 1
    return n


def _second_factor(realm: str, login: str, key: str, code: str | None, failed, ip: str = "") -> None:  # noqa: ANN001
    """After a right password: nothing for a login without 2FA; else the code, counted toward a lockout (and, when
    wrong, toward the address's failed sign-ins)."""
    if not two_factor.enabled(key):
        return
    if not code:
        raise two_factor.CodeNeeded()
    now = utcnow()
    with session_scope() as session:
        attempt = _attempt_row(session, f"2fa:{realm}", login.strip().lower())
        if attempt.locked_until and attempt.locked_until > now:
            abuse.login_failed(ip)
            raise AuthFailed(_(LOCKED))
        attempt.updated_at = now
        if not two_factor.check(session, key, code):
            abuse.login_failed(ip)
            attempt.failures += 1
            if attempt.failures >= LOCK_AFTER:
                attempt.locked_until = now + LOCK_FOR
                attempt.failures = 0
            failed(session)
            session.commit()
            raise AuthFailed(_(two_factor.BAD_CODE))
        attempt.failures = 0
        attempt.locked_until = None


def login_reseller(email: str, password: str, ip: str = "", code: str | None = None) -> str:
    """Log a reseller's owner or an active staff member in; returns a new session token (`ip`: for the audit log).

    The owner's login and the staff logins share the realm "reseller" (one lockout per login name); a staff member
    signs in at the same /login page and works in the owner's workspace with its role.
    """

    def find(session: Session, login: str) -> tuple[tuple[int, int | None] | None, str | None]:
        r = session.exec(select(Reseller).where(Reseller.email == login)).first()
        if r is not None:
            return (r.id, None), r.password_hash
        m = session.exec(select(StaffMember).where(StaffMember.email == login, StaffMember.status == "active")).first()
        return ((m.reseller_id, m.id), m.password_hash) if m else (None, None)

    def failed(session: Session, account: tuple[int, int | None]) -> None:
        audit.record(session, Actor("reseller", account[0], ip=ip, staff_id=account[1]), "login_failed")

    reseller_id, staff_id = _check("reseller", email, password, find, failed, ip)
    key = f"staff:{staff_id}" if staff_id is not None else f"owner:{reseller_id}"
    _second_factor("reseller", email, key, code, lambda s: failed(s, (reseller_id, staff_id)), ip)
    with session_scope() as session:
        if staff_id is None:
            session.get(Reseller, reseller_id).last_login_at = utcnow()
        else:
            session.get(StaffMember, staff_id).last_login_at = utcnow()
        token = _open_session(session, "reseller", reseller_id, None, staff_id=staff_id)
        first_login = session.exec(
            select(AuditLog.id).where(AuditLog.reseller_id == reseller_id, AuditLog.action == "login")
        ).first()
        if first_login is not None and alerts.is_new_address(session, reseller_id, staff_id, ip):
            who = "You" if staff_id is None else f"Your staff member {session.get(StaffMember, staff_id).email}"
            alerts.tell_owner(
                session,
                reseller_id,
                "A sign-in from a new address",
                f"{who} signed in to your reseller portal from {ip}, an address not seen before.\n"
                "If this was not expected, change the password and review the Audit log.\n",
            )
        audit.record(session, Actor("reseller", reseller_id, ip=ip, staff_id=staff_id), "login")
    return token


def portal_available(reseller_id: int) -> bool:
    """Whether this reseller's client portal exists and is switched on."""
    with read_scope() as session:
        r = session.get(Reseller, reseller_id)
        return bool(r and r.portal_active)


def login_client(reseller_id: int, email: str, password: str, ip: str = "", code: str | None = None) -> str:
    """Log a client in through its own reseller's portal; returns a new session token (`ip`: for the audit log)."""
    if not portal_available(reseller_id):
        raise AuthFailed(_(PORTAL_OFF))

    def find(session: Session, login: str) -> tuple[int | None, str | None]:
        c = session.exec(select(Client).where(Client.reseller_id == reseller_id, Client.email == login)).first()
        return (c.id, c.password_hash) if c else (None, None)

    def failed(session: Session, client_id: int) -> None:
        audit.record(session, Actor("client", reseller_id, client_id, ip=ip), "login_failed", "client", client_id)

    client_id = _check(f"client:{reseller_id}", email, password, find, failed, ip)
    _second_factor(f"client:{reseller_id}", email, f"client:{client_id}", code, lambda s: failed(s, client_id), ip)
    with session_scope() as session:
        client = session.get(Client, client_id)
        if client.status == "WAIT":
            raise AuthFailed(_(WAITING))
        client.last_login_at = utcnow()
        token = _open_session(session, "client", reseller_id, client_id)
        audit.record(session, Actor("client", reseller_id, client_id, ip=ip), "login", "client", client_id)
    return token


def impersonate_client(actor: Actor, client_id: int | str) -> str:
    """A reseller opens its client's interface as that client ("Login to client's interface")."""
    require_role(require_reseller(actor), roles.CLIENTS)
    with session_scope() as session:
        client = lookup.client_of_reseller(session, actor, client_id)
        parent = session.get(LoginSession, actor.session_id) if actor.session_id is not None else None
        if actor.session_id is not None and (
            parent is None or parent.revoked_at is not None or parent.expires_at <= utcnow()
        ):
            raise NotFound()
        token = _open_session(
            session,
            "client",
            actor.reseller_id,
            client.id,
            by=actor.reseller_id,
            parent=parent,
            staff_id=actor.staff_id,
        )
        audit.record(session, actor, "impersonate", "client", client_id)
    return token


def resolve(token: str, role: str, reseller_id: int | None = None) -> Actor | None:
    """The actor behind a live session token of this role (and, for clients, of this reseller's portal)."""
    if not is_token(token):
        return None
    parent = aliased(LoginSession)
    with read_scope() as session:
        # The session and, for a client, its account in one query (the account stays at hand for the page); an
        # impersonation's reseller session too (it ends with it).
        row = session.exec(
            select(LoginSession, Client, parent.revoked_at, parent.expires_at, Reseller.currency, StaffMember)
            .join(Client, Client.id == LoginSession.client_id, isouter=True)
            .join(StaffMember, StaffMember.id == LoginSession.staff_id, isouter=True)
            .join(parent, parent.id == LoginSession.parent_session_id, isouter=True)
            .join(Reseller, Reseller.id == LoginSession.reseller_id)
            .where(LoginSession.token_hash == token_hash(token))
        ).first()
        s, client, parent_revoked, parent_expires, currency, staff = row if row is not None else (None,) * 6
        now = utcnow()
        if s is None or s.role != role or s.revoked_at is not None or s.expires_at <= now:
            return None
        if s.parent_session_id is not None and (
            parent_expires is None or parent_revoked is not None or parent_expires <= now
        ):
            return None
        if role == "client":
            if reseller_id is not None and s.reseller_id != reseller_id:
                return None
            if client is None or client.status == "WAIT" or client.reseller_id != s.reseller_id:
                return None
            if client.deleted_at is not None:
                return None
            lookup.hold_client(session, client)
        if s.staff_id is not None and (staff is None or staff.status != "active" or staff.reseller_id != s.reseller_id):
            return None  # a disabled or removed staff member's sessions end at once
        # Amounts this request shows are in the session's reseller's currency (services/common/format.py).
        fmt.set_currency(currency)
        if staff is not None:
            must_enrol = (
                bool(session.exec(select(Reseller.require_staff_2fa).where(Reseller.id == s.reseller_id)).one())
                and not session.exec(
                    select(TwoFactor.id).where(
                        TwoFactor.login_key == f"staff:{staff.id}", TwoFactor.confirmed_at.is_not(None)
                    )
                ).first()
            )
            return Actor(
                role,
                s.reseller_id,
                s.client_id,
                s.id,
                s.impersonated_by,
                staff_id=staff.id,
                staff_role=staff.role,
                must_enrol_2fa=must_enrol,
            )
        return Actor(role, s.reseller_id, s.client_id, s.id, s.impersonated_by)


def logout(token: str) -> None:
    """End the session of this token (no-op for an unknown token)."""
    if not is_token(token):
        return
    with session_scope() as session:
        s = session.exec(select(LoginSession).where(LoginSession.token_hash == token_hash(token))).first()
        if s is None:
            return
        now = utcnow()
        if s.revoked_at is None:
            s.revoked_at = now
        # The "Login as client" sessions it opened end with it.
        for child in session.exec(
            select(LoginSession).where(LoginSession.parent_session_id == s.id, LoginSession.revoked_at.is_(None))
        ).all():
            child.revoked_at = now


def create_reseller(email: str, password: str, name: str = "", company: str = "") -> int:
    """Create a reseller account (command line and demo data only; there is no public reseller signup)."""
    from reseller_app.models import ApiCredential, ResellerSettings

    pw_hash = hash_password(password)  # argon2 before the write transaction, never inside it
    with session_scope() as session:
        r = Reseller(email=email.strip().lower(), password_hash=pw_hash, name=name, company=company)
        session.add(r)
        session.flush()
        session.add(ResellerSettings(reseller_id=r.id, title=company or "Client portal"))
        session.add(ApiCredential(reseller_id=r.id))
        return r.id
