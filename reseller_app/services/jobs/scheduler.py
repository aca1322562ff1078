"""Scheduled jobs inside the app: CDR and text-message sync, the daily billing run and reconciliation, sandbox traffic.

Every backend worker runs the loop; a lease row per job (table `joblease`) lets only one worker run a job at a
time. A job whose worker died is taken over when its lease expires, and every job is safe to rerun: CDRs are
keyed by the carrier's uniqueid and fees by what they are for and the period they cover.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.config import settings
from reseller_app.db import engine as db_engine
from reseller_app.db import session_scope
from reseller_app.models import Cdr, JobLease, Reseller, utcnow
from reseller_app.services.accounting.billing_run import RunSummary, run_billing
from reseller_app.services.accounting.reconcile import reconcile
from reseller_app.services.messaging.messages import sync_messages
from reseller_app.services.settings.configuration import verify_hostnames
from reseller_app.services.telephony import unreadable
from reseller_app.services.telephony.calls import IngestResult, checkpoints_apart, ingest_cdrs

log = logging.getLogger(__name__)


def _worker_id() -> str:
    """This process's lease holder name."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


WORKER = _worker_id()


def _new_worker_id_after_fork() -> None:
    # Reflex's prod server imports the app once and forks its workers: without a new name each worker would
    # inherit the same holder, and `holder == WORKER` would let every worker take the others' leases.
    global WORKER
    WORKER = _worker_id()


os.register_at_fork(after_in_child=_new_worker_id_after_fork)
# Calls per ingest batch (one transaction each). By measurement (bench/ingest_bench.py, README "CDR ingest"): a
# batch of a large reseller reads and locks most of its clients and free-minute pools whatever its size, so the
# per-batch reads and writes shrink per call as batches grow: 20,000 syncs 200,000 calls about 15 % faster than
# 10,000 on both databases. The price: a batch holds its clients' locks (payments wait for them) about twice as
# long, one to two seconds per batch on this 2-core machine.
BATCH_SIZE = 20_000
# Calls can reach the carrier's records late: each sync looks back this far, and uniqueids drop the repeats.
OVERLAP = timedelta(hours=2)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# --- leases --------------------------------------------------------------------------------------------


def acquire(name: str, ttl: timedelta, *, every: timedelta | None = None, holder: str | None = None) -> bool:
    """Take the job's lease for `ttl` if it is free (and, with `every`, if the job last finished that long ago)."""
    holder = holder or WORKER
    now = utcnow()
    try:
        with session_scope() as session:
            if session.get(JobLease, name) is None:
                session.add(JobLease(name=name))
    except IntegrityError:
        pass  # another worker created the row at the same moment
    with session_scope() as session:
        free = sa.or_(JobLease.lease_until.is_(None), JobLease.lease_until < now, JobLease.holder == holder)
        cond = [JobLease.name == name, free]
        if every is not None:
            cond.append(sa.or_(JobLease.last_finished_at.is_(None), JobLease.last_finished_at <= now - every))
        # One conditional UPDATE: of several workers, exactly one sees rowcount 1.
        result = session.execute(
            sa.update(JobLease).where(*cond).values(holder=holder, lease_until=now + ttl, last_started_at=now)
        )
        return result.rowcount == 1


def release(name: str, *, error: str = "", holder: str | None = None) -> None:
    """Give the lease back and record the outcome (a failed run does not count as finished)."""
    holder = holder or WORKER
    values: dict = {"lease_until": None, "holder": "", "last_error": error[:500]}
    if not error:
        values["last_finished_at"] = utcnow()
    with session_scope() as session:
        session.execute(sa.update(JobLease).where(JobLease.name == name, JobLease.holder == holder).values(**values))


def run_job(name: str, fn: Callable[[], object], *, ttl: timedelta, every: timedelta | None = None) -> bool:
    """Run `fn` under the job's lease; False when another worker holds it (or it is not due)."""
    if not acquire(name, ttl, every=every):
        return False
    try:
        fn()
    except Exception as e:  # recorded on the lease row and logged; the loop goes on
        log.exception("scheduled job %s failed", name)
        release(name, error=f"{type(e).__name__}: {e}")
        return True
    release(name)
    return True


# --- CDR sync ------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    """What one reseller's sync did."""

    fetched: int = 0
    batches: int = 0
    stored: int = 0
    duplicates: int = 0
    unreadable: int = 0  # records the carrier sent that could not be read (kept for the reseller, not rated)


def sync_reseller(reseller_id: int, *, batch_size: int = BATCH_SIZE, overlap: timedelta = OVERLAP) -> SyncResult:
    """Fetch the carrier's new calls for one reseller and rate them in batches (each batch one transaction).

    It starts from the newest call already stored, minus an overlap: after a crash between batches it resumes
    there, and calls already stored are skipped by uniqueid, so no call is rated twice.
    """
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
        newest = session.exec(
            select(Cdr.start).where(Cdr.reseller_id == reseller_id).order_by(Cdr.start.desc()).limit(1)
        ).first()
    since = (newest - overlap) if newest else EPOCH
    # Never inside a transaction: the carrier may block on the network.
    fetched = get_carrier(reseller).fetch_cdrs(reseller_id, since)
    cdrs = fetched.cdrs
    result = SyncResult(fetched=len(cdrs), unreadable=len(fetched.unreadable))
    if fetched.unreadable:
        # Not rated, so not billed: kept where the reseller sees them (the Overview page), never just skipped.
        new = unreadable.record(reseller_id, fetched.unreadable)
        log.warning(
            "CDR sync of reseller %s: %d call records could not be read (%d new); listed on the reseller's Overview",
            reseller_id,
            len(fetched.unreadable),
            new,
        )
    # The fetched records live through the whole sync (a million after a long outage): frozen, the cycle collector
    # stops rescanning them at each of its full passes, which the batches' many short-lived objects keep
    # triggering. Only the collector's scheduling changes (freeze is process-wide; refcounting frees as ever).
    gc.freeze()
    checkpoints = _Checkpointer() if db_engine().dialect.name == "sqlite" else None
    try:
        for i in range(0, len(cdrs), batch_size):
            with checkpoints_apart() if checkpoints is not None else nullcontext():
                res: IngestResult = ingest_cdrs(reseller_id, cdrs[i : i + batch_size])
            if checkpoints is not None:
                checkpoints.due()
            result.batches += 1
            result.stored += res.stored
            result.duplicates += res.duplicates
    finally:
        gc.unfreeze()
        if checkpoints is not None:
            checkpoints.close()
    return result


class _Checkpointer:
    """SQLite: the WAL checkpoints of a sync's batches, run in a thread on a connection of its own.

    A batch's commit would otherwise copy the WAL into the database file itself (`wal_autocheckpoint`), in the sync's
    thread; here a PASSIVE checkpoint (it waits for no reader or writer) runs after each commit while the next batch
    reads and rates, and SQLite's C code holds no GIL meanwhile. `close` waits for the last one.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._pending = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def due(self) -> None:
        """A batch has committed: checkpoint (again) when the one running ends."""
        with self._wake:
            self._pending = True
            self._wake.notify()

    def close(self) -> None:
        """Run the checkpoint still due, then end the thread."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        with db_engine().connect() as conn:
            raw = conn.connection.driver_connection
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._pending or self._closing)
                    if not self._pending:
                        return
                    self._pending = False
                try:
                    raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except Exception:  # a checkpoint left undone is done by a later commit; the sync goes on
                    log.exception("WAL checkpoint during the CDR sync failed")


def sync_all() -> dict[int, SyncResult]:
    """Sync every reseller's calls and received text messages; one reseller's failure (bad carrier login) does not
    stop the others, and a failed call sync does not stop its message sync."""
    with session_scope() as session:
        ids = list(session.exec(select(Reseller.id).order_by(Reseller.id)).all())
    done: dict[int, SyncResult] = {}
    for rid in ids:
        try:
            done[rid] = sync_reseller(rid)
        except CarrierError as e:
            log.warning("CDR sync of reseller %s: carrier said %s", rid, e.code)
        except Exception:  # logged; the next reseller still syncs
            log.exception("CDR sync of reseller %s failed", rid)
        try:
            sync_messages(rid)
        except CarrierError as e:
            log.warning("message sync of reseller %s: carrier said %s", rid, e.code)
        except Exception:  # logged; the next reseller still syncs
            log.exception("message sync of reseller %s failed", rid)
    return done


# --- billing -------------------------------------------------------------------------------------------


def billing_cycle(day: date | None = None) -> RunSummary:
    """The billing run for `day` (default today, UTC): fees due up to that day, each posted once."""
    summary = run_billing(day)
    for err in summary.errors:
        log.warning("billing: %s", err)
    return summary


# --- sandbox traffic -----------------------------------------------------------------------------------


def traffic_tick(calls_per_reseller: int | None = None) -> int:
    """Record a few invented calls for every sandbox reseller, then sync them in this worker.

    The sandbox keeps its calls in this process's memory, so the same worker that made them rates them.
    """
    from reseller_app.carrier.sandbox import SandboxCarrier
    from reseller_app.carrier.traffic import generate
    from reseller_app.services.callflows.traffic import inbound_router

    count = calls_per_reseller if calls_per_reseller is not None else settings.traffic_calls_per_minute
    with session_scope() as session:
        resellers = list(session.exec(select(Reseller).where(Reseller.carrier_kind == "sandbox")).all())
    made = 0
    for r in resellers:
        carrier = get_carrier(r)
        if not isinstance(carrier, SandboxCarrier):
            continue
        n = generate(carrier, r.id, count, route_inbound=inbound_router(r.id))
        if n:
            made += n
            sync_reseller(r.id)
    return made


# --- the loop ------------------------------------------------------------------------------------------


def tick(now: datetime | None = None) -> list[str]:
    """One round of the scheduler: run every job that is due and free; returns the names that ran here."""
    now = now or utcnow()
    ran: list[str] = []
    sync_every = timedelta(seconds=max(settings.cdr_sync_seconds, 30))
    if run_job("cdr_sync", sync_all, ttl=timedelta(minutes=30), every=sync_every - timedelta(seconds=5)):
        ran.append("cdr_sync")
    # Billing once a day, from the configured hour on (UTC); a missed day is caught up by the run itself.
    if now.hour >= settings.billing_hour_utc and run_job(
        "billing", lambda: billing_cycle(now.date()), ttl=timedelta(hours=2), every=timedelta(hours=20)
    ):
        ran.append("billing")
    # Every client's balance against its ledger, once a day (differences are logged as errors and audited).
    if run_job("reconcile", reconcile, ttl=timedelta(hours=1), every=timedelta(hours=24)):
        ran.append("reconcile")
    # Custom hostnames: active once their DNS points here (and back to requested if it stops).
    if run_job("hostnames", verify_hostnames, ttl=timedelta(minutes=10), every=timedelta(minutes=10)):
        ran.append("hostnames")
    if settings.sandbox_traffic and run_job(
        "sandbox_traffic", traffic_tick, ttl=timedelta(minutes=5), every=timedelta(seconds=55)
    ):
        ran.append("sandbox_traffic")
    return ran


async def run_forever(interval: float = 30.0) -> None:
    """The lifespan task: a scheduler round every `interval` seconds until cancelled; errors are logged."""
    if not settings.scheduler_enabled:
        return
    while True:
        try:
            await asyncio.to_thread(tick)
        except Exception:  # a database outage must not end the loop
            log.exception("scheduler round failed")
        await asyncio.sleep(interval)
