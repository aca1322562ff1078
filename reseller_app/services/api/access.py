"""The reseller's REST API access: switch it on, set its own API password and IP allow-list, authenticate requests.

Also where the reseller picks its upstream carrier (the embedded sandbox or VoIP.ms with its API login).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass

from sqlmodel import select

from reseller_app.config import settings
from reseller_app.db import read_scope, session_scope
from reseller_app.models import ApiCredential, Reseller
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.access.security import hash_password, password_problem, token_hash, verify_password
from reseller_app.services.common import audit
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.staff import alerts, roles
from reseller_app.services.staff.roles import require_role

logger = logging.getLogger(__name__)
CARRIER_KINDS = ("sandbox", "voipms")
# Requests per reseller per window; a reseller's scripts over this get `api_limit_exceeded`.
RATE_LIMIT = 120
RATE_WINDOW = 60.0
# A verified API password is remembered this long, so a busy integration does not pay argon2 on every call.
_VERIFIED_TTL = 300.0


class ApiError(Exception):
    """A refusal answered with a VoIP.ms status code (e.g. `invalid_credentials`)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class ApiSettings:
    """What the API & carrier settings page shows (never a password, only whether one is set)."""

    enabled: bool
    has_password: bool
    ip_allowlist: str
    api_username: str
    carrier_kind: str
    carrier_username: str
    has_carrier_secret: bool


class RateLimiter:
    """A sliding-window counter per key, kept in this process (one worker; see RedisRateLimiter for several)."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW) -> None:
        """Allow `limit` requests per `window` seconds per key."""
        self.limit = limit
        self.window = window
        self._hits: dict[int | str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: int | str, now: float | None = None) -> bool:
        """Count one request; False when the key is over its limit (that request is not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            self._trim(hits, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _trim(self, hits: deque[float], now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()

    def full(self, key: int | str) -> bool:
        """Whether the key is at its limit now (counts nothing)."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return False
            self._trim(hits, now)
            return len(hits) >= self.limit

    def hit(self, key: int | str) -> None:
        """Count one event for the key."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 10_000:
                self._hits.clear()  # bounded memory under a flood of made-up names
            hits = self._hits.setdefault(key, deque())
            self._trim(hits, now)
            hits.append(now)

    def reset(self) -> None:
        """Forget every count (tests)."""
        with self._lock:
            self._hits.clear()


# One script per question, so counting is atomic across workers and machines; the clock is Redis's own.
_REDIS_WINDOW = """
local key, limit, window_ms, mode, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_ms)
local n = redis.call('ZCARD', key)
if mode == 'full' then
  if n >= limit then return 1 else return 0 end
end
if mode == 'allow' and n >= limit then return 0 end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window_ms)
return 1
"""


class RedisRateLimiter:
    """The same sliding window, kept in Redis: every worker and machine counts against one budget per key."""

    def __init__(self, redis_url: str, name: str, limit: int = RATE_LIMIT, window: float = RATE_WINDOW) -> None:
        """Allow `limit` requests per `window` seconds per key, under the key prefix `name`."""
        import redis

        self.limit = limit
        self.window = window
        self.prefix = f"reseller_app:rate:{name}:"
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._redis.register_script(_REDIS_WINDOW)

    def _ask(self, key: int | str, mode: str) -> bool:
        from redis.exceptions import RedisError

        try:
            args = [self.limit, int(self.window * 1000), mode, uuid.uuid4().hex]
            return bool(self._script(keys=[f"{self.prefix}{key}"], args=args))
        except RedisError:  # a limiter that cannot count lets the request through (logged)
            logger.warning("rate limiter: Redis did not answer; request let through", exc_info=True)
            return mode != "full"

    def allow(self, key: int | str) -> bool:
        """Count one request; False when the key is over its limit (that request is not counted)."""
        return self._ask(key, "allow")

    def full(self, key: int | str) -> bool:
        """Whether the key is at its limit now (counts nothing)."""
        return self._ask(key, "full")

    def hit(self, key: int | str) -> None:
        """Count one event for the key."""
        self._ask(key, "hit")

    def reset(self) -> None:
        """Forget every count (tests)."""
        for k in self._redis.scan_iter(f"{self.prefix}*"):
            self._redis.delete(k)


def make_limiter(name: str, limit: int, window: float) -> RateLimiter | RedisRateLimiter:
    """A limiter shared by every worker through Redis when REDIS_URL is set, else one for this process."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, name, limit, window)
    return RateLimiter(limit, window)


limiter = make_limiter("api", RATE_LIMIT, RATE_WINDOW)
# Wrong API passwords per login name and address: past this, refused for the window without checking the password.
failures = make_limiter("api-failures", 20, 300.0)
_verified: dict[str, float] = {}
_verified_lock = threading.Lock()


def _credential(session, reseller_id: int) -> ApiCredential:  # noqa: ANN001
    cred = session.exec(select(ApiCredential).where(ApiCredential.reseller_id == reseller_id)).first()
    if cred is None:
        cred = ApiCredential(reseller_id=reseller_id)
        session.add(cred)
        session.flush()
    return cred


def parse_allowlist(text: str) -> list[str]:
    """Normalized IP addresses or networks from a comma/space/newline separated list; ValidationFailed on a bad one."""
    items: list[str] = []
    for raw in text.replace(",", " ").split():
        try:
            net = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise ValidationFailed({"ip_allowlist": f"{raw[:60]} is not an IP address or network."}) from None
        items.append(str(net.network_address) if net.num_addresses == 1 else str(net))
    if len(",".join(items)) > 2000:
        raise ValidationFailed({"ip_allowlist": "The list is too long."})
    return items


def get_settings(actor: Actor) -> ApiSettings:
    """The reseller's API and carrier settings."""
    require_reseller(actor)
    with read_scope() as session:
        reseller = session.get(Reseller, actor.reseller_id)
        cred = session.exec(select(ApiCredential).where(ApiCredential.reseller_id == actor.reseller_id)).first()
        return ApiSettings(
            enabled=bool(cred and cred.enabled),
            has_password=bool(cred and cred.password_hash),
            ip_allowlist=", ".join(cred.ip_allowlist.split(",")) if cred and cred.ip_allowlist else "",
            api_username=reseller.email,
            carrier_kind=reseller.carrier_kind or "sandbox",
            carrier_username=reseller.carrier_username or "",
            has_carrier_secret=bool(reseller.carrier_secret),
        )


def set_access(actor: Actor, enabled: bool, ip_allowlist: str) -> None:
    """Switch the API on or off and set the IP allow-list (empty: any address)."""
    require_role(actor, roles.API)
    require_reseller(actor)
    ips = parse_allowlist(ip_allowlist or "")
    with session_scope() as session:
        cred = _credential(session, actor.reseller_id)
        if enabled and not cred.password_hash:
            raise ValidationFailed({"enabled": "Set an API password before enabling the API."})
        cred.enabled = bool(enabled)
        cred.ip_allowlist = ",".join(ips)
        audit.record(session, actor, "api_access", "apicredential", cred.id, enabled=cred.enabled, ips=len(ips))


def set_password(actor: Actor, password: str, confirm: str) -> None:
    """Set the API password (hashed; separate from the login password)."""
    require_role(actor, roles.API)
    require_reseller(actor)
    problem = password_problem(password or "")
    if problem:
        raise ValidationFailed({"password": problem})
    if password != confirm:
        raise ValidationFailed({"confirm": "The two passwords differ."})
    # argon2 (the check against the login password, then the hash) outside any transaction.
    with read_scope() as session:
        login_hash = session.get(Reseller, actor.reseller_id).password_hash
    if verify_password(password, login_hash):
        raise ValidationFailed({"password": "Use a password different from your login password."})
    new_hash = hash_password(password)
    with session_scope() as session:
        cred = _credential(session, actor.reseller_id)
        cred.password_hash = new_hash
        audit.record(session, actor, "api_password", "apicredential", cred.id)
        alerts.tell_owner(
            session,
            actor.reseller_id,
            "Your API password was changed",
            f"The API password of your reseller portal was changed{f' from {actor.ip}' if actor.ip else ''}.\n"
            "If this was not you or your staff, set a new one on the API & carrier page and review the Audit log.\n",
        )
    with _verified_lock:
        _verified.clear()


def set_carrier(actor: Actor, kind: str, username: str = "", password: str = "") -> None:
    """Choose the upstream carrier; VoIP.ms needs its API username and (once) its API password."""
    require_role(actor, roles.API)
    require_reseller(actor)
    kind = (kind or "").strip().lower()
    if kind not in CARRIER_KINDS:
        raise ValidationFailed({"carrier_kind": "Choose the sandbox or VoIP.ms."})
    username = (username or "").strip()
    with session_scope() as session:
        reseller = session.get(Reseller, actor.reseller_id)
        if kind == "voipms":
            if not username or len(username) > 254:
                raise ValidationFailed({"carrier_username": "Enter your VoIP.ms API username (your email)."})
            if len(password or "") > 255:
                raise ValidationFailed({"carrier_password": "Too long."})
            if not password and not (reseller.carrier_secret and reseller.carrier_username == username):
                raise ValidationFailed({"carrier_password": "Enter your VoIP.ms API password."})
            reseller.carrier_username = username
            if password:
                # Stored as given: the carrier needs it in clear on every call (see README, Carrier).
                reseller.carrier_secret = password
        reseller.carrier_kind = kind
        audit.record(session, actor, "set_carrier", "reseller", reseller.id, kind=kind)


def _cache_key(username: str, password: str, password_hash: str) -> str:
    return token_hash(f"{username}\0{password}\0{password_hash}")


def _password_ok(username: str, password: str, password_hash: str) -> bool:
    key = _cache_key(username, password, password_hash)
    now = time.monotonic()
    with _verified_lock:
        if _verified.get(key, 0) > now:
            return True
    if not verify_password(password, password_hash):
        return False
    with _verified_lock:
        if len(_verified) > 1000:
            _verified.clear()
        _verified[key] = now + _VERIFIED_TTL
    return True


def _ip_allowed(allowlist: str, ip: str | None) -> bool:
    if not allowlist:
        return True
    try:
        addr = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    for item in allowlist.split(","):
        try:
            if addr in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def authenticate(username: str, password: str, ip: str | None) -> Actor:
    """The reseller Actor for an API request, or ApiError with the VoIP.ms status code."""
    username = (username or "").strip().lower()
    if not username or not password or len(username) > 254 or len(password) > 128:
        raise ApiError("invalid_credentials")
    # Counted per name and address, so a stranger's guesses cannot lock out the reseller's own integration.
    fail_key = f"{username}|{ip}"
    if failures.full(fail_key):
        raise ApiError("api_limit_exceeded")
    with read_scope() as session:  # read, close, then verify: argon2 holds no transaction
        row = session.exec(
            select(Reseller.id, ApiCredential)
            .join(ApiCredential, ApiCredential.reseller_id == Reseller.id)
            .where(Reseller.email == username)
        ).first()
    if row is None:
        verify_password(password, None)  # same work as a wrong password
        failures.hit(fail_key)
        raise ApiError("invalid_credentials")
    reseller_id, cred = row
    if not _password_ok(username, password, cred.password_hash):
        failures.hit(fail_key)
        raise ApiError("invalid_credentials")
    if not cred.enabled:
        raise ApiError("api_not_enabled")
    if not _ip_allowed(cred.ip_allowlist, ip):
        raise ApiError("ip_not_enabled")
    if not limiter.allow(reseller_id):
        raise ApiError("api_limit_exceeded")
    return Actor("reseller", reseller_id)
