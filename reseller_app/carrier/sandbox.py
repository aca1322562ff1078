"""The embedded sandbox carrier: stands in for VoIP.ms with no network, keeping its books in the portal's database."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import random
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.models import SandboxCallFlow, SandboxDid, SandboxSubAccount

from .base import DID_KINDS, Carrier, CarrierCdr, CarrierError, CarrierMessage, DidOffer
from .callflows import FLOW_KINDS, TARGET_KINDS, DidRoutingSpec, FlowSpec, RecordingSpec, Target

SessionFactory = Callable[[], AbstractContextManager[Session]]

# Not under a data/ directory: .gitignore drops every data/ (the runtime database lives in one).
DECK_PATH = Path(__file__).resolve().parent / "deck.csv"
SMS_COSTS_PATH = DECK_PATH.with_name("deck_sms.csv")
# An outside number answers a text ending in "?" after this long (its reply appears to the next sync after that).
REPLY_DELAY = timedelta(seconds=20)
REPLIES = ("Thanks, got it!", "Sounds good.", "Yes, see you then.", "Can you call me later?", "OK 👍")
_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Call-flow kinds a routing target can name, and the object kind the sandbox keeps for each.
_TARGET_OBJECT = {k: k for k in ("ivr", "grp", "hunt", "tc", "queue", "conf", "cb", "disa")}
_SYS_ACTIONS = ("hangup", "busy", "noservice", "disconnected", "dtmf", "echo")

_INVENTORY_SEED = 514_416
# (rate centre, province/state, area codes, how many voice numbers, how many fax numbers)
_RATE_CENTERS: list[tuple[str, str, tuple[str, ...], int, int]] = [
    ("Montreal", "QC", ("514", "438"), 20, 4),
    ("Quebec", "QC", ("418", "581"), 10, 0),
    ("Laval", "QC", ("450",), 8, 0),
    ("Gatineau", "QC", ("819",), 8, 0),
    ("Toronto", "ON", ("416", "647", "437"), 20, 4),
    ("Ottawa", "ON", ("613", "343"), 10, 2),
    ("Mississauga", "ON", ("905", "289"), 8, 0),
    ("London", "ON", ("519", "226"), 6, 0),
    ("Vancouver", "BC", ("604", "778"), 14, 3),
    ("Victoria", "BC", ("250",), 6, 0),
    ("Calgary", "AB", ("403", "587"), 10, 2),
    ("Edmonton", "AB", ("780",), 8, 0),
    ("Winnipeg", "MB", ("204", "431"), 8, 0),
    ("Regina", "SK", ("306",), 5, 0),
    ("Halifax", "NS", ("902", "782"), 6, 0),
    ("St. John's", "NL", ("709",), 4, 0),
    ("New York", "NY", ("212", "646"), 20, 4),
    ("Brooklyn", "NY", ("718", "347"), 10, 0),
    ("Los Angeles", "CA", ("213", "310", "323"), 18, 3),
    ("San Francisco", "CA", ("415",), 10, 0),
    ("Chicago", "IL", ("312", "773"), 14, 3),
    ("Miami", "FL", ("305", "786"), 12, 2),
    ("Houston", "TX", ("713", "832"), 10, 0),
    ("Dallas", "TX", ("214", "469"), 10, 0),
    ("Seattle", "WA", ("206",), 8, 0),
    ("Boston", "MA", ("617",), 8, 2),
    ("Atlanta", "GA", ("404", "678"), 8, 0),
    ("Denver", "CO", ("303", "720"), 8, 0),
    ("Phoenix", "AZ", ("602",), 6, 0),
    ("Philadelphia", "PA", ("215", "267"), 8, 0),
    ("Las Vegas", "NV", ("702",), 6, 0),
]


def _inventory() -> list[DidOffer]:
    """The numbers the sandbox sells: deterministic, so every install (and every test) sees the same ones."""
    import phonenumbers  # only needed the first time the inventory is seeded

    rng = random.Random(_INVENTORY_SEED)
    offers: list[DidOffer] = []
    taken: set[str] = set()
    for rate_center, region, npas, voice, fax in _RATE_CENTERS:
        for kind, count in (("voice", voice), ("fax", fax)):
            made = 0
            while made < count:
                npa = npas[rng.randrange(len(npas))]
                nxx = rng.randint(200, 999)
                # N11 service codes and the 555 directory exchange are not assignable to subscribers.
                if nxx % 100 == 11 or nxx == 555:
                    continue
                number = f"1{npa}{nxx}{rng.randint(0, 9999):04d}"
                if number in taken or not phonenumbers.is_valid_number(phonenumbers.parse(f"+{number}")):
                    continue
                taken.add(number)
                offers.append(DidOffer(number=number, rate_center=rate_center, region=region, kind=kind))
                made += 1
    return offers


def normalize_number(number: str) -> str:
    """A NANP number as the sandbox stores it: 11 digits, starting with 1, no '+'."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 10:
        digits = "1" + digits
    return digits


class SandboxCarrier(Carrier):
    """A carrier that needs no network: DIDs and sub-accounts live in sandbox tables, CDRs are fed in-process."""

    def __init__(self, session_factory: SessionFactory = session_scope, *, deck_path: Path = DECK_PATH) -> None:
        """Use `session_factory` for every transaction (each method runs its own, so call outside yours)."""
        self._session_factory = session_factory
        self._deck_path = deck_path
        self._cdrs: dict[int, dict[str, CarrierCdr]] = {}
        self._messages: dict[int, dict[str, CarrierMessage]] = {}
        self._sent: dict[str, CarrierMessage] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # --- DIDs -----------------------------------------------------------------------------------------

    def seed_inventory(self) -> int:
        """Fill the DID inventory if it is empty; returns how many numbers were added (0 when already seeded)."""
        try:
            with self._session_factory() as session:
                if session.exec(select(SandboxDid.id).limit(1)).first() is not None:
                    return 0
                offers = _inventory()
                session.add_all(
                    SandboxDid(number=o.number, rate_center=o.rate_center, region=o.region, kind=o.kind) for o in offers
                )
            return len(offers)
        except IntegrityError:
            return 0  # another worker seeded it at the same moment: the unique number constraint kept one copy

    def available_dids(self, reseller_id: int, kind: str = "voice") -> list[DidOffer]:
        """Inventory of this kind that no reseller owns yet."""
        if kind not in DID_KINDS:
            raise CarrierError("invalid_type", f"kind must be one of {DID_KINDS}")
        self.seed_inventory()
        with self._session_factory() as session:
            rows = session.exec(
                select(SandboxDid)
                .where(SandboxDid.kind == kind, SandboxDid.owner_reseller_id.is_(None))
                .order_by(SandboxDid.region, SandboxDid.rate_center, SandboxDid.number)
            ).all()
            return [_offer(r) for r in rows]

    def claim_did(self, reseller_id: int, number: str) -> DidOffer:
        """Give a free number to the reseller; claiming one it already owns is a no-op."""
        number = normalize_number(number)
        self.seed_inventory()
        with self._session_factory() as session:
            # Conditional update: of two resellers racing for one number, exactly one wins.
            session.execute(
                sa.update(SandboxDid)
                .where(SandboxDid.number == number, SandboxDid.owner_reseller_id.is_(None))
                .values(owner_reseller_id=reseller_id)
            )
            row = session.exec(select(SandboxDid).where(SandboxDid.number == number)).first()
            if row is None:
                raise CarrierError("invalid_did", f"{number} is not in the carrier's inventory")
            if row.owner_reseller_id != reseller_id:
                raise CarrierError("did_unavailable", f"{number} is not available")
            return _offer(row)

    def release_did(self, reseller_id: int, number: str) -> None:
        """Return a number to the inventory; only its owner may."""
        number = normalize_number(number)
        with self._session_factory() as session:
            result = session.execute(
                sa.update(SandboxDid)
                .where(SandboxDid.number == number, SandboxDid.owner_reseller_id == reseller_id)
                .values(owner_reseller_id=None)
            )
            if result.rowcount == 0:
                exists = session.exec(select(SandboxDid.id).where(SandboxDid.number == number)).first()
                if exists is None:
                    raise CarrierError("invalid_did", f"{number} is not in the carrier's inventory")
                raise CarrierError("not_owner", f"{number} does not belong to this reseller")
            # A released number's routing goes with it (as at VoIP.ms, where a cancelled DID is gone).
            session.execute(
                sa.delete(SandboxCallFlow).where(
                    SandboxCallFlow.owner_reseller_id == reseller_id,
                    SandboxCallFlow.kind == "did",
                    SandboxCallFlow.key == number,
                )
            )

    def owned_dids(self, reseller_id: int) -> list[DidOffer]:
        """Numbers this reseller has claimed (what a real account would list as its DIDs)."""
        with self._session_factory() as session:
            rows = session.exec(
                select(SandboxDid).where(SandboxDid.owner_reseller_id == reseller_id).order_by(SandboxDid.number)
            ).all()
            return [_offer(r) for r in rows]

    # --- Sub-accounts ---------------------------------------------------------------------------------

    def create_subaccount(self, reseller_id: int, account: str, password: str, *, description: str = "") -> str:
        """Record a new sub-account (the password is checked, never stored) and return its reference."""
        if not _ACCOUNT_RE.match(account or ""):
            raise CarrierError("invalid_account", "account must be 1-64 letters, digits, '_', '.' or '-'")
        if not password:
            raise CarrierError("invalid_password", "a password is required")
        with self._session_factory() as session:
            if session.exec(select(SandboxSubAccount.id).where(SandboxSubAccount.account == account)).first():
                raise CarrierError("duplicate", f"sub-account {account} already exists")
            row = SandboxSubAccount(account=account, owner_reseller_id=reseller_id)
            session.add(row)
            try:
                session.flush()
            except IntegrityError as exc:
                # Lost a race with another request creating the same account.
                raise CarrierError("duplicate", f"sub-account {account} already exists") from exc
            return f"sandbox-{row.id}"

    def delete_subaccount(self, reseller_id: int, account: str) -> None:
        """Forget a sub-account of this reseller; CarrierError if it belongs to another."""
        with self._session_factory() as session:
            row = session.exec(select(SandboxSubAccount).where(SandboxSubAccount.account == account)).first()
            if row is None:
                return
            if row.owner_reseller_id != reseller_id:
                raise CarrierError("not_owner", f"sub-account {account} does not belong to this reseller")
            session.delete(row)

    def block_subaccount(self, account: str) -> None:
        """Block the sub-account at the carrier."""
        self._set_blocked(account, True)

    def unblock_subaccount(self, account: str) -> None:
        """Unblock the sub-account at the carrier."""
        self._set_blocked(account, False)

    def is_blocked(self, account: str) -> bool:
        """Whether the carrier currently blocks this sub-account."""
        with self._session_factory() as session:
            blocked = session.exec(
                select(SandboxSubAccount.blocked).where(SandboxSubAccount.account == account)
            ).first()
            if blocked is None:
                raise CarrierError("invalid_account", f"no sub-account {account}")
            return bool(blocked)

    def _set_blocked(self, account: str, blocked: bool) -> None:
        with self._session_factory() as session:
            result = session.execute(
                sa.update(SandboxSubAccount).where(SandboxSubAccount.account == account).values(blocked=blocked)
            )
            if result.rowcount == 0:
                raise CarrierError("invalid_account", f"no sub-account {account}")

    # --- Rates ----------------------------------------------------------------------------------------

    def deck_csv_path(self) -> Path | None:
        """The shipped deck file."""
        return self._deck_path if self._deck_path.is_file() else None

    # --- CDRs -----------------------------------------------------------------------------------------

    def record_call(self, reseller_id: int, cdr: CarrierCdr) -> None:
        """Feed a call as if the carrier had switched it (tests, demo); a repeated uniqueid replaces the first."""
        with self._lock:
            self._cdrs.setdefault(reseller_id, {})[cdr.uniqueid] = cdr

    def cdrs_since(self, reseller_id: int, since: datetime) -> list[CarrierCdr]:
        """Recorded calls of the reseller that started after `since`, by start time then uniqueid."""
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        since = since.astimezone(UTC)
        with self._lock:
            calls = list(self._cdrs.get(reseller_id, {}).values())
        return sorted((c for c in calls if c.start > since), key=lambda c: (c.start, c.uniqueid))

    # --- Call flows -----------------------------------------------------------------------------------

    def _check_target(self, session: Session, reseller_id: int, target: Target) -> None:
        """A target must name something this reseller has at the carrier (or a system action, or nothing)."""
        kind, ref = target.kind, target.ref
        if kind not in TARGET_KINDS:
            raise CarrierError("invalid_routing_header", f"unknown routing header {kind!r}")
        if kind == "none":
            if ref:
                raise CarrierError("invalid_routing", "none: takes no value")
            return
        if kind == "sys":
            if ref not in _SYS_ACTIONS:
                raise CarrierError("invalid_routing", f"unknown system action {ref!r}")
            return
        if kind == "account":
            owner = session.exec(
                select(SandboxSubAccount.owner_reseller_id).where(SandboxSubAccount.account == ref)
            ).first()
            if owner != reseller_id:
                raise CarrierError("invalid_routing", f"no sub-account {ref}")
            return
        if kind in _TARGET_OBJECT:
            self._own_flow(session, reseller_id, _TARGET_OBJECT[kind], ref)
            return
        # vm, fwd, fax: kept by the portal; the sandbox checks the reference's form only.
        if not ref.isdigit():
            raise CarrierError("invalid_routing", f"{kind}:{ref} is not a reference")

    def _own_flow(self, session: Session, reseller_id: int, kind: str, ref: str) -> SandboxCallFlow:
        row = session.get(SandboxCallFlow, int(ref)) if str(ref).isdigit() else None
        if row is None or row.owner_reseller_id != reseller_id or row.kind != kind:
            raise CarrierError(f"invalid_{kind}", f"no {kind} {ref}")
        return row

    def save_flow(self, reseller_id: int, spec: FlowSpec, ref: str | None = None) -> str:
        """Keep the object after checking every target and recording it names exists for this reseller."""
        if spec.kind not in FLOW_KINDS:
            raise CarrierError("invalid_kind", f"unknown call-flow kind {spec.kind!r}")
        with self._session_factory() as session:
            for target in spec.targets():
                self._check_target(session, reseller_id, target)
            for kind, needed in spec.needs():
                self._own_flow(session, reseller_id, kind, needed)
            data = _spec_data(spec)
            if ref is None:
                row = SandboxCallFlow(owner_reseller_id=reseller_id, kind=spec.kind, data=data)
                session.add(row)
                session.flush()
                return str(row.id)
            row = self._own_flow(session, reseller_id, spec.kind, ref)
            row.data = data
            return str(row.id)

    def delete_flow(self, reseller_id: int, kind: str, ref: str) -> None:
        """Forget the object; refused while another object or a DID still routes to it or plays it."""
        with self._session_factory() as session:
            row = self._own_flow(session, reseller_id, kind, ref)
            mark = f"{kind}:{row.id}"
            for other in session.exec(
                select(SandboxCallFlow).where(SandboxCallFlow.owner_reseller_id == reseller_id)
            ).all():
                if other.id != row.id and mark in (other.data or {}).get("uses", []):
                    raise CarrierError(f"{kind}_in_use", f"{mark} is used by {other.kind} {other.key or other.id}")
            session.delete(row)

    def route_did(self, reseller_id: int, number: str, routing: DidRoutingSpec) -> None:
        """Keep the DID's routing; the DID must be the reseller's and every target must exist."""
        number = normalize_number(number)
        with self._session_factory() as session:
            owner = session.exec(select(SandboxDid.owner_reseller_id).where(SandboxDid.number == number)).first()
            if owner != reseller_id:
                raise CarrierError("invalid_did", f"{number} is not this reseller's")
            for target in routing.targets():
                self._check_target(session, reseller_id, target)
            row = session.exec(
                select(SandboxCallFlow).where(
                    SandboxCallFlow.owner_reseller_id == reseller_id,
                    SandboxCallFlow.kind == "did",
                    SandboxCallFlow.key == number,
                )
            ).first()
            data = {
                "routing": routing.routing.wire(),
                "failover_busy": routing.busy.wire(),
                "failover_unreachable": routing.unreachable.wire(),
                "failover_noanswer": routing.noanswer.wire(),
                "uses": _uses(routing.targets(), ()),
            }
            if row is None:
                session.add(SandboxCallFlow(owner_reseller_id=reseller_id, kind="did", key=number, data=data))
            else:
                row.data = data

    def flows(self, reseller_id: int, kind: str) -> list[dict]:
        """What the sandbox keeps of one kind for a reseller (tests, and what a real account would list)."""
        with self._session_factory() as session:
            rows = session.exec(
                select(SandboxCallFlow)
                .where(SandboxCallFlow.owner_reseller_id == reseller_id, SandboxCallFlow.kind == kind)
                .order_by(SandboxCallFlow.id)
            ).all()
            return [{"ref": str(r.id), "key": r.key, **(r.data or {})} for r in rows]

    # --- text messages --------------------------------------------------------------------------------

    def _next_id(self) -> str:
        with self._lock:
            return f"sbx{next(self._ids)}-{random.randrange(16**6):06x}"

    def set_sms(self, reseller_id: int, did: str, enabled: bool) -> None:
        """Turn SMS on or off on a number the reseller owns."""
        did = normalize_number(did)
        with self._session_factory() as session:
            result = session.execute(
                sa.update(SandboxDid)
                .where(SandboxDid.number == did, SandboxDid.owner_reseller_id == reseller_id)
                .values(sms_enabled=enabled)
            )
            if result.rowcount == 0:
                raise CarrierError("invalid_did", f"{did} is not one of your numbers")

    def sms_enabled(self, did: str) -> bool:
        """Whether SMS is on for this number at the sandbox."""
        return self._number(normalize_number(did))[1]

    def _number(self, number: str) -> tuple[int | None, bool]:
        """(owner reseller, SMS on) of a number; (None, False) for one the sandbox does not sell."""
        with self._session_factory() as session:
            row = session.exec(
                select(SandboxDid.owner_reseller_id, SandboxDid.sms_enabled).where(SandboxDid.number == number)
            ).first()
        return (row[0], bool(row[1])) if row is not None else (None, False)

    def _send(self, reseller_id: int, kind: str, did: str, dst: str, message: str, media: tuple[str, ...]) -> str:
        did, dst = normalize_number(did), normalize_number(dst)
        owner, sms_on = self._number(did)
        if owner != reseller_id:
            raise CarrierError("invalid_did", f"{did} is not one of your numbers")
        if not sms_on:
            raise CarrierError("invalid_did", f"SMS is not enabled on {did}")
        if not dst:
            raise CarrierError("invalid_dst", "no destination")
        now = self.now()
        sent = CarrierMessage(self._next_id(), now, "out", kind, did, dst, message, media)
        with self._lock:
            self._sent[sent.carrier_id] = sent
        owner, dst_on = self._number(dst)
        if owner is not None:
            # Between two platform numbers the message arrives at once (if the number takes texts).
            if dst_on:
                self.deliver(owner, CarrierMessage(self._next_id(), now, "in", kind, dst, did, message, media))
        elif message.rstrip().endswith("?"):
            # An outside number answers a question a little later.
            reply = REPLIES[sum(map(ord, message)) % len(REPLIES)]
            self.deliver(reseller_id, CarrierMessage(self._next_id(), now + REPLY_DELAY, "in", "sms", did, dst, reply))
        return sent.carrier_id

    def send_sms(self, reseller_id: int, did: str, dst: str, message: str) -> str:
        """Send a text; delivered at once to a platform number, answered later by an outside one."""
        return self._send(reseller_id, "sms", did, dst, message, ())

    def send_mms(self, reseller_id: int, did: str, dst: str, message: str, media: list[str]) -> str:
        """Send a picture message, like send_sms."""
        return self._send(reseller_id, "mms", did, dst, message, tuple(media))

    def sent(self, carrier_id: str) -> CarrierMessage | None:
        """A message sent through the sandbox (tests)."""
        return self._sent.get(carrier_id)

    def deliver(self, reseller_id: int, message: CarrierMessage) -> None:
        """Record a message received on one of the reseller's numbers (tests, demo, deliveries above)."""
        with self._lock:
            self._messages.setdefault(reseller_id, {})[message.carrier_id] = message

    def messages_since(self, reseller_id: int, since: datetime) -> list[CarrierMessage]:
        """Received messages of the reseller after `since` and not in the future, by time then id."""
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        now = self.now()
        with self._lock:
            found = list(self._messages.get(reseller_id, {}).values())
        return sorted((m for m in found if since < m.sent_at <= now), key=lambda m: (m.sent_at, m.carrier_id))

    def sms_costs_path(self) -> Path | None:
        """The shipped sms section of the deck."""
        return SMS_COSTS_PATH if SMS_COSTS_PATH.is_file() else None


def _uses(targets: tuple[Target, ...], needs: tuple[tuple[str, str], ...]) -> list[str]:
    marks = [f"{_TARGET_OBJECT[t.kind]}:{t.ref}" for t in targets if t.kind in _TARGET_OBJECT]
    return sorted(set(marks + [f"{kind}:{ref}" for kind, ref in needs]))


def _spec_data(spec: FlowSpec) -> dict:
    """The spec as JSON (an audio file as its size and digest), with the references it uses."""
    data = dataclasses.asdict(spec)
    if isinstance(spec, RecordingSpec):
        raw = data.pop("data")
        if raw is not None:
            data["size"] = len(raw)
            data["sha256"] = hashlib.sha256(raw).hexdigest()
    data["uses"] = _uses(spec.targets(), spec.needs())
    return data


def _offer(row: SandboxDid) -> DidOffer:
    return DidOffer(number=row.number, rate_center=row.rate_center, region=row.region, kind=row.kind)
