"""Concurrency bench: N processes post payments, charges and rated calls to one client at once.

Each worker process posts through the services layer (`manual_posting`, `ingest_cdrs`) and through the REST API
(`addPayment` / `addCharge` over real HTTP to a granian server started here), a third of its operations each.
Afterwards the client's balance must equal the ledger sum exactly and every posting must appear once.

    python bench/concurrency_bench.py [--workers 8] [--ops 2000] [--pg URL | --no-pg] [--no-sqlite]

The test `tests/reliability/test_concurrency.py` runs the same code with fewer operations against the test database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_PW = "bench-api-password-1"
RESELLER = "bench-reseller@example.com"
ACCOUNT = "100001_bench"


# --- set-up (in the calling process) -------------------------------------------------------------------


def setup(mode: str = "SOFT", opening: Decimal = Decimal("0")) -> dict:
    """A reseller with the API on, a package, one client (SOFT or HARD) with one sub-account and an opening payment."""
    from reseller_app.db import session_scope
    from reseller_app.models import Client, Package, Reseller, SubAccount
    from reseller_app.services.access.actor import Actor
    from reseller_app.services.access.auth import create_reseller
    from reseller_app.services.accounting.postings import manual_posting
    from reseller_app.services.api import access as api_access

    rid = create_reseller(RESELLER, "login-password-1")
    actor = Actor("reseller", rid)
    api_access.set_password(actor, API_PW, API_PW)
    api_access.set_access(actor, True, "")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        pkg = Package(reseller_id=rid, name="Bench", markup_fixed=Decimal("0.0025"), markup_percent=Decimal("20"))
        s.add(pkg)
        s.flush()
        client = Client(reseller_id=rid, email="bench-client@example.com", password_hash="x", firstname="Bench")
        s.add(client)
        s.flush()
        s.add(SubAccount(reseller_id=rid, client_id=client.id, package_id=pkg.id, account=ACCOUNT, sip_password="p"))
        cid = client.id
    if opening:
        manual_posting(actor, cid, "payment", opening, "Opening balance", reference="opening")
    if mode == "HARD":
        with session_scope() as s:
            s.get(Client, cid).balance_management = "HARD"
    return {"reseller": rid, "client": cid}


# --- the REST API server (a child process) -------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_app():  # granian factory
    """The portal's FastAPI app, with the per-reseller rate limit out of the way (this bench is about money)."""
    from reseller_app.api import create_api
    from reseller_app.services.api import access as api_access

    api_access.limiter.limit = 10**9
    return create_api()


def start_server(port: int) -> subprocess.Popen:
    """Start granian serving `api_app` on 127.0.0.1:port (same DATABASE_URL) and wait until /api/health answers."""
    import httpx

    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError("the API server did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process started here, with the children of its session."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _serve(port: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "concurrency_bench:api_app",
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=1,
        log_enabled=False,
        working_dir=Path(__file__).resolve().parent,
    ).serve()


# --- one worker process ----------------------------------------------------------------------------------


def _worker(worker: int, ops: int, port: int, reseller_id: int, client_id: int, go: str, charges_only: bool) -> dict:
    """Post `ops` operations: manual payment/charge, one rated call, REST payment/charge (in turn)."""
    import httpx

    from reseller_app.carrier import CarrierCdr
    from reseller_app.models import utcnow
    from reseller_app.services.access.actor import Actor
    from reseller_app.services.accounting.postings import manual_posting
    from reseller_app.services.telephony.calls import ingest_cdrs

    actor = Actor("reseller", reseller_id)
    rnd = random.Random(worker)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    http.get("/api/health").raise_for_status()
    deadline = time.monotonic() + 120
    while not os.path.exists(go):  # start together
        if time.monotonic() > deadline:
            raise RuntimeError("no start signal")
        time.sleep(0.005)
    refs: list[str] = []
    calls: list[str] = []
    started = time.perf_counter()
    for i in range(ops):
        kind = "charge" if charges_only or i % 2 else "payment"
        amount = Decimal(rnd.randint(1, 500)) / 100
        if i % 3 == 0:
            key = f"w{worker}-m{i}"
            manual_posting(actor, client_id, kind, amount, f"Bench {kind} {key}", reference=key)
            refs.append(f"{kind}:{reseller_id}:{key}")
        elif i % 3 == 1:
            uid = f"w{worker}c{i}"
            # The call starts now and its record is rated at once. A record that waits for the database while
            # another worker suspends the client is a call in flight: it started before the suspension.
            cdr = CarrierCdr(
                uniqueid=uid,
                start=utcnow(),
                direction="out",
                account=ACCOUNT,
                callerid='"Bench" <15145550000>',
                destination="442071234567",
                duration=rnd.randint(10, 900),
                disposition="ANSWERED",
            )
            res = ingest_cdrs(reseller_id, [cdr])
            if res.stored != 1:
                raise RuntimeError(f"call {uid} not stored: {res}")
            calls.append(uid)
        else:
            key = f"w{worker}-a{i}"
            method = "addCharge" if kind == "charge" else "addPayment"
            r = http.post(
                "/api/v1/rest.php",
                data={
                    "api_username": RESELLER,
                    "api_password": API_PW,
                    "method": method,
                    "client": str(client_id),
                    kind: str(amount),
                    "description": f"API {kind} {key}",
                    "idempotency_key": key,
                },
            )
            if r.json().get("status") != "success":
                raise RuntimeError(f"{method} {key}: {r.text}")
            refs.append(f"{kind}:{reseller_id}:{key}")
    return {"worker": worker, "refs": refs, "calls": calls, "seconds": time.perf_counter() - started}


# --- a whole run -----------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What a run posted and how long it took."""

    seconds: float
    operations: int
    refs: list[str]
    calls: list[str]


def run(workers: int, ops: int, ids: dict, *, charges_only: bool = False) -> RunResult:
    """Start the API server and `workers` processes against DATABASE_URL; wait for all; return what they posted."""
    port = free_port()
    server = start_server(port)
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            go = os.path.join(tmp, "go")
            for w in range(workers):
                args = json.dumps([w, ops, port, ids["reseller"], ids["client"], go, charges_only])
                procs.append(
                    subprocess.Popen(
                        [sys.executable, str(Path(__file__).resolve()), "worker", args],
                        cwd=ROOT,
                        env={**os.environ, "PYTHONPATH": str(ROOT)},
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
            started = time.perf_counter()
            Path(go).touch()
            outs = [p.communicate(timeout=1800) for p in procs]
            seconds = time.perf_counter() - started
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        stop(server)
    refs: list[str] = []
    calls: list[str] = []
    for p, (out, err) in zip(procs, outs, strict=True):
        if p.returncode != 0:
            raise RuntimeError(f"a worker failed ({p.returncode}):\n{err[-3000:]}")
        result = json.loads(out.strip().splitlines()[-1])
        refs += result["refs"]
        calls += result["calls"]
    return RunResult(seconds=seconds, operations=workers * ops, refs=refs, calls=calls)


def check(ids: dict, result: RunResult) -> dict:
    """The figures of a run; raises AssertionError when the balance is not the ledger or a posting is missing."""
    from sqlalchemy import func
    from sqlmodel import select

    from reseller_app.db import session_scope
    from reseller_app.models import Cdr, Client, LedgerEntry

    cid, rid = ids["client"], ids["reseller"]
    with session_scope() as s:
        balance = s.get(Client, cid).balance
        ledger_sum = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == cid)).one()
        refs = s.exec(select(LedgerEntry.reference).where(LedgerEntry.client_id == cid)).all()
        entries = {e.reference: e for e in s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid)).all()}
        rows = s.exec(select(Cdr).where(Cdr.reseller_id == rid)).all()
    assert balance == ledger_sum, f"balance {balance} != ledger sum {ledger_sum}"
    assert len(refs) == len(set(refs)), "a reference posted twice"
    assert len(rows) == len(result.calls) and {r.uniqueid for r in rows} == set(result.calls), "calls lost or doubled"
    for ref in result.refs:
        assert ref in entries, f"posting {ref} missing"
    billed = {r.uniqueid for r in rows if r.price > 0}
    call_refs = {ref.rsplit(":", 1)[-1] for ref, e in entries.items() if e.kind == "call"}
    assert call_refs == billed, "a billed call without its posting, or a posting without its call"
    for r in rows:
        if r.price > 0:
            assert entries[f"cdr:{rid}:{r.uniqueid}"].amount == -r.price
    expected = len(result.refs) + len(billed) + (1 if any(ref.endswith(":opening") for ref in refs) else 0)
    assert len(refs) == expected, f"{len(refs)} entries, expected {expected}"
    return {
        "balance": balance,
        "entries": len(refs),
        "calls": len(rows),
        "billed_calls": len(billed),
        "seconds": result.seconds,
        "ops_per_s": result.operations / result.seconds,
    }


# --- the command line ------------------------------------------------------------------------------------


def migrated(url: str) -> None:
    """Bring the database at `url` to the newest migration."""
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


@contextmanager
def scratch_pg(admin_url: str, name: str) -> Iterator[str]:
    """A new empty PostgreSQL database `name` on the server of `admin_url` (its URL), dropped afterwards."""
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _bench(label: str, url: str, workers: int, ops: int) -> None:
    os.environ["DATABASE_URL"] = url
    from reseller_app import db

    db.use_engine(db.make_engine(url))
    migrated(url)
    ids = setup()
    result = run(workers, ops, ids)
    fig = check(ids, result)
    print(
        f"{label}: {workers} processes x {ops} operations = {result.operations} in {fig['seconds']:.1f} s "
        f"({fig['ops_per_s']:.0f} ops/s); {fig['entries']} ledger entries, {fig['calls']} calls "
        f"({fig['billed_calls']} billed); balance {fig['balance']} = ledger sum: OK"
    )
    db.engine().dispose()


def main() -> None:
    """Run the bench on SQLite (a temporary file) and on PostgreSQL (a scratch database it creates and drops)."""
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(_worker(*json.loads(sys.argv[2]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        _serve(int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="a server to create the db on")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            _bench("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args.workers, args.ops)
    if not args.no_pg:
        with scratch_pg(args.pg, "concurrency_bench") as url:
            _bench("PostgreSQL", url, args.workers, args.ops)


if __name__ == "__main__":
    main()
