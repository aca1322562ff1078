"""Storing and rating the carrier's call records: each call priced once, posted once, free minutes drawn once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from time import perf_counter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from reseller_app.billing.deck import RateDeck
from reseller_app.billing.package import AreaRate as AreaRateRule
from reseller_app.billing.package import FreeZone as FreeZoneRule
from reseller_app.billing.package import PackageRules
from reseller_app.billing.rating import Call, RatedCall, Rater, RatingEngine
from reseller_app.carrier import CarrierCdr, get_carrier
from reseller_app.db import engine, session_scope
from reseller_app.models import (
    AreaRate,
    CardProfile,
    Cdr,
    Client,
    Did,
    FreeMinuteUsage,
    FreeZone,
    LedgerEntry,
    Package,
    Reseller,
    SubAccount,
    utcnow,
)
from reseller_app.models.types import Money
from reseller_app.services.accounting.postings import Effects, apply_balance_rules, run_effects
from reseller_app.services.common import format as fmt
from reseller_app.services.reporting.rollup import apply_rated
from reseller_app.services.telephony import bulk

NO_PACKAGE = PackageRules(name="(no package)", international_route="value")
ZERO = Decimal(0)


@lru_cache(maxsize=8)
def _deck(path: str) -> RateDeck:
    return RateDeck.load_csv(path)


@lru_cache(maxsize=64)
def _engine(rules: PackageRules, deck_path: str, onnet: frozenset[str]) -> RatingEngine:
    # One engine per package, deck and on-net numbers, kept across batches so its prefix memo stays warm.
    return RatingEngine(rules, _deck(deck_path), onnet)


def deck_for(reseller: Reseller) -> RateDeck:
    """The carrier's rate deck for this reseller (cached per file)."""
    return _deck(deck_path(reseller))


def deck_path(reseller: Reseller) -> str:
    """The file of the carrier's rate deck for this reseller."""
    path = get_carrier(reseller).deck_csv_path()
    if path is None:
        raise RuntimeError("the carrier has no rate deck")
    return str(Path(path))


def package_rules(session: Session, package: Package | None) -> PackageRules:
    """The billing engine's view of a stored package, with its per-area rates and free zones."""
    if package is None:
        return NO_PACKAGE
    areas = session.exec(select(AreaRate).where(AreaRate.package_id == package.id)).all()
    zones = session.exec(select(FreeZone).where(FreeZone.package_id == package.id)).all()
    return PackageRules(
        name=package.name,
        markup_fixed=package.markup_fixed,
        markup_percent=package.markup_percent,
        pulse=package.pulse,
        canada_route=package.canada_route,
        international_route=package.international_route,
        onnet_free=package.onnet_free,
        free_minutes=package.free_minutes,
        area_rates=tuple(AreaRateRule(prefix=a.prefix, country=a.country, rate=a.rate) for a in areas),
        free_zones=tuple(
            FreeZoneRule(
                country=z.value if z.kind == "country" else None,
                prefix=z.value if z.kind == "prefix" else None,
                max_rate=z.max_rate if z.kind == "max_rate" else None,
            )
            for z in zones
        ),
        setup_fee=package.setup_fee,
        monthly_fee=package.monthly_fee,
        sms_out_rate=package.sms_out_rate,
        sms_in_rate=package.sms_in_rate,
        mms_out_rate=package.mms_out_rate,
        mms_in_rate=package.mms_in_rate,
    )


def _anchor(client: Client | ClientRow | None) -> date:
    # Free-minute cycles are months ending on the client's next billing date.
    if client is not None and client.next_billing_date is not None:
        return client.next_billing_date
    return date(2000, 1, 1)


@dataclass
class IngestResult:
    """What one batch of call records did."""

    stored: int = 0
    duplicates: int = 0
    unrated: int = 0
    unassigned: int = 0
    suspended: int = 0
    billed: Decimal = ZERO


class RolledCall(NamedTuple):
    """What the daily roll-up needs of a stored call (`reporting.rollup.apply_rated` reads these attributes)."""

    reseller_id: int
    start: datetime
    direction: str
    disposition: str
    duration: int
    billable_seconds: int
    cost: Decimal
    price: Decimal


class Sub(NamedTuple):
    """A sub-account as the ingest needs it."""

    id: int
    account: str
    client_id: int | None
    package_id: int | None


class ClientRow(NamedTuple):
    """A client as the walk reads it (its row locked for the batch)."""

    id: int
    balance: Decimal
    status: str
    suspended_by: str | None
    suspended_at: datetime | None
    balance_management: str
    low_balance_threshold: Decimal | None
    next_billing_date: date | None


class Line(NamedTuple):
    """A DID as the ingest needs it."""

    id: int
    number: str
    client_id: int | None
    sub_account_id: int | None
    per_minute: Decimal


# Every column of `cdr` and `ledgerentry` but the id, in the order the bulk writes send them
# (tests/services/telephony/test_ingest_batch.py checks they are all the tables' columns).
CDR_COLUMNS = (
    "reseller_id", "client_id", "sub_account_id", "did_id", "uniqueid", "start", "direction", "account", "callerid",
    "destination", "description", "disposition", "duration", "country", "route", "billable_seconds", "cost_rate",
    "cost", "sell_rate", "price", "profit", "reason", "free_minutes_drawn", "rated_at", "call_path",
)  # fmt: skip
LEDGER_COLUMNS = (
    "reseller_id", "client_id", "reference", "kind", "amount", "description", "reverses_id", "created_by",
    "created_at",
)  # fmt: skip
CHUNK = 900  # values per IN (...) list on SQLite: under its bound-parameter limit

# Seconds spent in each step of `ingest_cdrs`, summed over this process's batches (bench/ingest_bench.py prints them).
INGEST_STEPS: dict[str, float] = defaultdict(float)


class _Laps:
    """A stopwatch adding the time since its last lap to INGEST_STEPS[step]."""

    def __init__(self) -> None:
        self.last = perf_counter()

    def lap(self, step: str) -> None:
        now = perf_counter()
        INGEST_STEPS[step] += now - self.last
        self.last = now


def _among(session: Session, column: Any, values: Collection[Any]) -> Iterator[Any]:  # noqa: ANN401
    """`column IN values`: one array parameter on PostgreSQL, IN lists of CHUNK values on SQLite."""
    ordered = sorted(values)
    if not ordered:
        return
    if session.get_bind().dialect.name == "postgresql":
        # `IN (SELECT unnest(array))`: joined (index probes or a hash), where `= ANY(array)` would test each row
        # against the whole array.
        array = sa.literal(ordered, type_=postgresql.ARRAY(column.type))
        yield column.in_(sa.select(sa.func.unnest(array)).scalar_subquery())
        return
    for i in range(0, len(ordered), CHUNK):
        yield column.in_(ordered[i : i + CHUNK])


_CHECKPOINTS_APART: ContextVar[bool] = ContextVar("checkpoints_apart", default=False)


@contextmanager
def checkpoints_apart() -> Iterator[None]:
    """Within this block, on SQLite, `ingest_cdrs` commits without running the WAL checkpoint: the caller runs it on
    another connection (services/jobs/scheduler.py: in a thread, beside the next batch's work)."""
    token = _CHECKPOINTS_APART.set(True)
    try:
        yield
    finally:
        _CHECKPOINTS_APART.reset(token)


@contextmanager
def _unit(apart: bool) -> Iterator[Session]:
    """The batch's transaction (`session_scope`); with `apart` on SQLite, its commit does not run the WAL
    checkpoint (`wal_autocheckpoint` off on the batch's own connection, held from start to end and set back before
    it returns to the pool): the caller checkpoints on another connection, beside the next batch's Python work."""
    bind = engine()
    if not apart or bind.dialect.name != "sqlite":
        with session_scope() as session:
            yield session
        return
    with bind.connect() as conn:
        raw = conn.connection.driver_connection
        every = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        raw.execute("PRAGMA wal_autocheckpoint=0")
        try:
            # Committed at the end of the block, rolled back on an error (as `session_scope`).
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            raw.execute(f"PRAGMA wal_autocheckpoint={every}")


def ingest_cdrs(reseller_id: int, cdrs: list[CarrierCdr]) -> IngestResult:
    """Store, rate and post a batch of the carrier's records for one reseller, in one transaction.

    A record already stored (same uniqueid) is skipped, so a batch can be re-sent safely after a failure.

    The batch is worked out in Python first, call by call in (start, uniqueid) order: each call is rated (drawing
    its sub-account's free minutes), its posting moves its client's running balance, and the balance rules run
    after each posting as they would for a single one (HARD suspension at the crossing posting, restore, the
    low-balance email), so a call that starts after a suspension made by an earlier call of the same batch is not
    billed and draws no free minutes. Then the batch is written in bulk: one multi-row insert of the calls and one
    of the postings (COPY on PostgreSQL), one `balance = balance + delta` per client, one roll-up upsert per
    (day, direction, disposition) and one write per free-minute pool that moved.

    Inside `checkpoints_apart()` (the sync's batches on SQLite) the commit leaves the WAL checkpoint to the caller.
    """
    result = IngestResult()
    fx = Effects()
    laps = _Laps()
    with _unit(_CHECKPOINTS_APART.get()) as session:
        reseller = session.get(Reseller, reseller_id)
        if reseller is None:
            raise ValueError(f"no reseller {reseller_id}")
        deck_file = deck_path(reseller)
        deck = _deck(deck_file)
        seen: set[str] = set()
        for among in _among(session, Cdr.uniqueid, {c.uniqueid for c in cdrs}):
            seen.update(session.exec(select(Cdr.uniqueid).where(Cdr.reseller_id == reseller_id, among)).all())
        fresh: list[CarrierCdr] = []
        for c in cdrs:
            if c.uniqueid in seen:
                result.duplicates += 1
                continue
            seen.add(c.uniqueid)
            fresh.append(c)
        if not fresh:
            return result

        # The batch's sub-accounts and DIDs, as plain rows (only the columns rating needs).
        sub_cols = (SubAccount.id, SubAccount.account, SubAccount.client_id, SubAccount.package_id)
        subs: dict[str, Sub] = {}
        for among in _among(session, SubAccount.account, {c.account for c in fresh}):
            for row in session.execute(select(*sub_cols).where(SubAccount.reseller_id == reseller_id, among)):
                subs[row.account] = Sub(*row)
        dids: dict[str, Line] = {}
        did_cols = (Did.id, Did.number, Did.client_id, Did.sub_account_id, Did.per_minute)
        for among in _among(session, Did.number, {c.did for c in fresh if c.did}):
            for row in session.execute(select(*did_cols).where(Did.reseller_id == reseller_id, among)):
                dids[row.number] = Line(*row)
        subs_by_id = {s.id: s for s in subs.values()}
        missing = {d.sub_account_id for d in dids.values() if d.sub_account_id is not None} - set(subs_by_id)
        for among in _among(session, SubAccount.id, missing):
            for row in session.execute(select(*sub_cols).where(among)):
                subs_by_id[row.id] = Sub(*row)
        onnet = frozenset(session.exec(select(Did.number).where(Did.client_id.is_not(None))).all())

        # Each call's sub-account and DID (an inbound call without a known sub-account takes its DID's).
        placed: list[tuple[CarrierCdr, Sub | None, Line | None]] = []
        for c in fresh:
            did = dids.get(c.did) if c.did else None
            sub = subs.get(c.account)
            if sub is None and did is not None and did.sub_account_id is not None:
                sub = subs_by_id.get(did.sub_account_id)
            placed.append((c, sub, did))
        # Aware datetimes compare as instants whatever their zones: (start, uniqueid) is the UTC order.
        placed.sort(key=lambda p: (p[0].start, p[0].uniqueid))

        # Lock the batch's clients (in id order, so two batches never deadlock): a concurrent posting that suspends
        # one has committed before this batch reads its status and balance, or it waits for this batch.
        owners = {s.client_id for _, s, _ in placed if s is not None} | {d.client_id for d in dids.values()}
        owners.discard(None)
        # As plain rows (the columns the walk needs); the ORM objects only of the clients the balance rules can
        # change (below).
        clients: dict[int, ClientRow] = {}
        client_cols = [getattr(Client, name) for name in ClientRow._fields]
        for among in _among(session, Client.id, owners):
            # FOR NO KEY UPDATE on PostgreSQL: the balance and status change, the key does not.
            for row in session.execute(
                select(*client_cols).where(among).order_by(Client.id).with_for_update(key_share=True)
            ):
                clients[row.id] = ClientRow(*row)
        running: dict[int, Decimal] = {cid: cl.balance for cid, cl in clients.items()}
        # Their automatic top-ups, read once (not per posting); the postings below arm or fire them as one would.
        topups: dict[int, CardProfile] = {}
        for among in _among(session, CardProfile.client_id, clients):
            for profile in session.exec(select(CardProfile).where(among, CardProfile.topup_enabled.is_(True))).all():  # type: ignore[attr-defined]
                topups[profile.client_id] = profile
        # Clients no call posting can move under the balance rules (see `_quiet`): the walk skips the rules for them,
        # and only the others are loaded as ORM objects (already locked above), for the rules to change.
        quiet = {cid for cid, cl in clients.items() if _quiet(cl, topups)}
        accounts: dict[int, Client] = {}
        for among in _among(session, Client.id, clients.keys() - quiet):
            for cl in session.exec(select(Client).where(among)).all():
                accounts[cl.id] = cl  # type: ignore[index]

        packages: dict[int | None, PackageRules] = {}

        def rules_of(package_id: int | None) -> PackageRules:
            if package_id not in packages:
                package = session.get(Package, package_id) if package_id is not None else None
                packages[package_id] = package_rules(session, package)
            return packages[package_id]

        # The free-minute pools of the batch's sub-accounts, (account, cycle start) -> minutes used.
        pools: dict[tuple[str, date], int] = {}
        usage_ids: dict[tuple[int, date], int] = {}
        drawing = {
            s.id: s.account
            for _, s, _ in placed
            if s is not None and rules_of(s.package_id).free_minutes > 0  # type: ignore[union-attr]
        }
        for among in _among(session, FreeMinuteUsage.sub_account_id, drawing):
            usage = (FreeMinuteUsage.id, FreeMinuteUsage.sub_account_id, FreeMinuteUsage.cycle_start)
            for uid, sid, cycle, used in session.execute(select(*usage, FreeMinuteUsage.minutes_used).where(among)):
                pools[(drawing[sid], cycle)] = used
                usage_ids[(sid, cycle)] = uid
        before = dict(pools)
        laps.lap("read: stored uniqueids, sub-accounts, DIDs, clients (locked), pools")

        # One Rater per (package, cycle anchor, after a suspension): they share the pools, drawn in start order.
        raters: dict[tuple[int | None, date, bool], Rater] = {}

        def rater_for(package_id: int | None, anchor: date, blocked: bool) -> Rater:
            key = (package_id, anchor, blocked)
            if key not in raters:
                rules = rules_of(package_id)
                # A call started after a HARD suspension draws no free minutes.
                own = replace(rules, free_minutes=0) if blocked else rules
                engine = _engine(own, deck_file, onnet)
                raters[key] = Rater(own, deck, pools={} if blocked else pools, anchor=anchor, engine=engine)
            return raters[key]

        def to_rate(c: CarrierCdr, sub: Sub | None, did: Line | None) -> Call:
            return Call(
                call_id=c.uniqueid,
                start=c.start,
                direction=c.direction,
                # The pool is the sub-account's (an inbound call may reach it through its DID only).
                account=sub.account if sub else c.account,
                caller=_digits(c.callerid),
                destination=c.destination if c.direction == "out" else (c.did or c.destination),
                duration=c.duration,
                disposition=c.disposition,
                carrier_cost=c.carrier_cost,
                did_rate=(did.per_minute if did is not None else None) if c.direction == "in" else None,
            )

        # Each call's client (None: unassigned) and start in UTC; per client, the start from which its calls are
        # not billable (see `_suspended_since`), kept in step with the balance rules in the walk below.
        owner: list[int | None] = []
        for _, sub, did in placed:
            cid = sub.client_id if sub else (did.client_id if did else None)
            owner.append(cid if cid in clients else None)
        starts = [c.start.astimezone(UTC) for c, _, _ in placed]
        since = {cid: _suspended_since(cl) for cid, cl in clients.items()}
        restorable = {cid for cid, cl in clients.items() if _may_restore(cl)}
        anchors = {cid: _anchor(cl) for cid, cl in clients.items()}
        no_anchor = _anchor(None)

        # Rate ahead, a group at a time, every call whose "started after a HARD suspension" cannot change during
        # the batch: one that started before now (a suspension made by this batch is stamped now or later), of a
        # client no posting can restore (see `_may_restore`). The others are rated one by one in the walk below,
        # with the client's status as the earlier postings left it; they start after every call rated ahead, so
        # the pools are still drawn in start order.
        now = utcnow()
        ahead: dict[int, RatedCall] = {}
        groups: dict[tuple[int | None, date, bool], list[int]] = {}
        for i, (_, sub, _) in enumerate(placed):
            cid, start = owner[i], starts[i]
            if start >= now or cid in restorable:
                continue
            package_id = sub.package_id if sub else None
            if cid is None:
                groups.setdefault((package_id, no_anchor, False), []).append(i)
                continue
            cut = since[cid]
            groups.setdefault((package_id, anchors[cid], cut is not None and start >= cut), []).append(i)
        for (package_id, anchor, blocked), members in groups.items():
            rated = rater_for(package_id, anchor, blocked).rate([to_rate(*placed[i]) for i in members])
            ahead.update(zip(members, rated, strict=True))

        cdr_rows: list[tuple] = []
        ledger_rows: list[tuple] = []
        rolled: list[RolledCall] = []
        for i, (c, sub, did) in enumerate(placed):
            cid, start = owner[i], starts[i]
            cut = since[cid] if cid is not None else None
            blocked = cut is not None and start >= cut
            r = ahead.get(i)
            if r is None:
                anchor = anchors[cid] if cid is not None else no_anchor
                r = rater_for(sub.package_id if sub else None, anchor, blocked).rate([to_rate(c, sub, did)])[0]
            price = r.price if r.price is not None else ZERO
            cost = r.cost or ZERO
            reason = r.reason if cid is not None else "unassigned"
            if blocked:
                # Not billable: the reseller bears the carrier cost of a call that got through the block.
                price, reason = ZERO, "suspended"
                result.suspended += 1
            if cid is None:
                price = ZERO
            cdr_rows.append(
                (
                    reseller_id, cid, sub.id if sub else None, did.id if did else None,
                    c.uniqueid, start, c.direction, c.account, c.callerid[:120], c.destination[:32], "",
                    c.disposition, c.duration, r.country or "", r.route or "", r.billable_seconds,
                    r.cost_rate or ZERO, cost, r.sell_rate or ZERO, price, price - cost, reason,
                    r.free_minutes_drawn, now, c.path[:500],
                )
            )  # fmt: skip
            rolled.append(
                RolledCall(reseller_id, start, c.direction, c.disposition, c.duration, r.billable_seconds, cost, price)
            )
            result.stored += 1
            result.unrated += r.reason == "unrated"
            result.unassigned += cid is None
            if cid is not None and price > 0:
                where = "to " + c.destination if c.direction == "out" else "from " + _caller(c.callerid)
                reference = f"cdr:{reseller_id}:{c.uniqueid}"[:120]
                ledger_rows.append(
                    (reseller_id, cid, reference, "call", -price, f"Call {where} ({c.duration}s)"[:255], None,
                     "rating", now)
                )  # fmt: skip
                old = running[cid]
                running[cid] = new = old - price
                # The rules as after a single posting: HARD suspends here, stamped now (calls starting later in
                # this batch are not billed); the low-balance email goes once per crossing.
                if cid not in quiet:
                    client = accounts[cid]
                    apply_balance_rules(session, client, old, new, reference, fx, topups)
                    since[cid] = _suspended_since(client)
                result.billed += price

        laps.lap("rate and walk (Python)")
        bulk.insert_rows(session, Cdr.__table__, CDR_COLUMNS, cdr_rows)  # type: ignore[arg-type]
        laps.lap("write: calls")
        bulk.insert_rows(session, LedgerEntry.__table__, LEDGER_COLUMNS, ledger_rows)  # type: ignore[arg-type]
        laps.lap("write: postings")
        _move_balances(session, reseller_id, {cid: running[cid] - cl.balance for cid, cl in clients.items()})
        for cid, cl in accounts.items():
            set_committed_value(cl, "balance", running[cid])
        laps.lap("write: balances")
        _write_pools(session, reseller_id, pools, before, placed, usage_ids)
        laps.lap("write: free-minute pools")
        # The reports' daily roll-up moves in the same transaction as the calls it sums.
        apply_rated(session, rolled)
        laps.lap("write: roll-up")
    laps.lap("commit (and the session's flush of suspensions)")
    run_effects(fx)
    return result


def _move_balances(session: Session, reseller_id: int, deltas: dict[int, Decimal]) -> None:
    """`balance = balance + delta` for each client whose balance moved: one statement on PostgreSQL (unnest)."""
    moved = sorted((cid, d) for cid, d in deltas.items() if d != 0)
    if not moved:
        return
    if session.get_bind().dialect.name == "postgresql":
        to_micro = Money().process_bind_param
        session.execute(
            sa.text(
                "UPDATE client SET balance = client.balance + v.delta"
                " FROM unnest(CAST(:ids AS integer[]), CAST(:deltas AS bigint[])) AS v(id, delta)"
                " WHERE client.id = v.id AND client.reseller_id = :rid"
            ),
            {"ids": [cid for cid, _ in moved], "deltas": [to_micro(d, None) for _, d in moved], "rid": reseller_id},
        )
        return
    t = Client.__table__
    session.execute(
        t.update()  # type: ignore[attr-defined]
        .where(t.c.id == sa.bindparam("cid"), t.c.reseller_id == reseller_id)  # type: ignore[attr-defined]
        .values(balance=t.c.balance + sa.bindparam("delta", type_=Money)),  # type: ignore[attr-defined]
        [{"cid": cid, "delta": d} for cid, d in moved],
    )


def _write_pools(
    session: Session,
    reseller_id: int,
    pools: dict[tuple[str, date], int],
    before: dict[tuple[str, date], int],
    placed: list[tuple[CarrierCdr, Sub | None, Line | None]],
    usage_ids: dict[tuple[int, date], int],
) -> None:
    """Persist the free-minute pools this batch drew from: an UPDATE for a known cycle, an INSERT for a new one."""
    ids = {s.account: s.id for _, s, _ in placed if s is not None}
    updates, inserts = [], []
    for (account, start), used in pools.items():
        if used == before.get((account, start)):
            continue
        sid = ids[account]
        if (sid, start) in usage_ids:  # type: ignore[comparison-overlap]
            updates.append({"uid": usage_ids[(sid, start)], "used": used})  # type: ignore[index]
        else:
            inserts.append(
                {"reseller_id": reseller_id, "sub_account_id": sid, "cycle_start": start, "minutes_used": used}
            )
    t = FreeMinuteUsage.__table__
    if updates:
        session.execute(
            t.update().where(t.c.id == sa.bindparam("uid")).values(minutes_used=sa.bindparam("used")),  # type: ignore[attr-defined]
            updates,
        )
    if inserts:
        session.execute(t.insert(), inserts)  # type: ignore[attr-defined]


def _suspended_since(client: Client | ClientRow) -> datetime | None:
    """When the HARD balance rule suspended this client (None: it has not): a call started at or after it is not
    billable.

    Calls in flight at the suspension (started before it) are billed even though they are rated later; a call
    started at or after `suspended_at` is stored with price 0 and reason `suspended`. Manual suspensions and SOFT
    clients are not concerned (SOFT never suspends).
    """
    if client.status != "SUSPENDED" or client.suspended_by != "balance":
        return None
    return client.suspended_at


def _quiet(client: ClientRow, topups: Collection[int]) -> bool:
    """Whether `apply_balance_rules` after a call posting does nothing for this client, whatever the amounts.

    A SOFT client not suspended for its balance keeps its status at any balance (`postings.status_for`); with no
    low-balance threshold and no enabled automatic top-up, nothing else follows a posting. Its status cannot change
    during the batch (only the balance rules would change it), so this holds for the whole batch.
    """
    held = client.status == "SUSPENDED" and client.suspended_by == "balance"
    return (
        client.balance_management == "SOFT"
        and not held
        and client.low_balance_threshold is None
        and client.id not in topups
    )


def _may_restore(client: Client | ClientRow) -> bool:
    """Whether a call posting could lift this client's balance suspension (so calls after it become billable).

    A call posting only lowers the balance: HARD restores a client it suspended only above 0, SOFT at once.
    """
    if client.status != "SUSPENDED" or client.suspended_by != "balance":
        return False
    return client.balance_management == "SOFT" or client.balance > 0


@lru_cache(maxsize=65536)  # a line's caller ID repeats through its calls
def _caller(callerid: str) -> str:
    return fmt.caller(callerid)


@lru_cache(maxsize=65536)
def _digits(text: str) -> str:
    inside = text.rsplit("<", 1)[-1] if "<" in text else text
    return "".join(ch for ch in inside if ch.isdigit())
