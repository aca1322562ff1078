"""Load bench: 200 concurrent client sessions over Reflex's websocket, with one worker and with two on Redis.

    .venv/bin/python bench/load_bench.py [--sessions 200] [--pages 3] [--db sqlite|postgres]

For each configuration the script builds and starts the portal in prod mode on a free port (holding the e2e build
lock, like the browser tests), on a throw-away database seeded with one reseller and SESSIONS clients that have
100 rated calls each. It then opens SESSIONS socket.io connections at once (python-socketio, the protocol of
`.web/utils/state.js`: path /_event, the tab token in the query, `event` messages both ways). First every
session logs in (spread over RAMP s); then all of them at once, still connected, open the dashboard -> open the
call history -> page through it (PAGES x "next"), with a think time of THINK (default 2-5 s) between steps and a
bare event (LoginState.clear: a tiny state, no database) after every step. A round trip is the time from emitting
an event to receiving the update that carries its handler's state delta.
It prints p50/p95 round trips (the login, which hashes a password with argon2, is reported apart), the bare
event's, and the backend memory per session: the proportional set size (PSS, shared pages split) of all the
app's processes with every session connected, minus the same before the sessions, divided by SESSIONS; on Redis
also the state's bytes per session in Redis. Everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1"  # the seeded clients' password
CALLS_PER_CLIENT = 100
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
ANSWER_TIMEOUT = 60
NAMESPACE = "/_event"  # Reflex's socket.io namespace, also its path (state.js: io(".../_event", {path: "/_event"}))


# --- seeding (run in a subprocess with DATABASE_URL set) --------------------------------------------------


def seed(sessions: int) -> None:
    """One reseller with `sessions` clients, each with a sub-account and CALLS_PER_CLIENT calls; prints ids."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from sqlmodel import select

    from reseller_app.db import session_scope
    from reseller_app.models import Cdr, Client, Package, Reseller, ResellerSettings, SubAccount
    from reseller_app.services.access.auth import create_reseller
    from reseller_app.services.access.security import hash_password

    rid = create_reseller("bench@example.com", PASSWORD, name="Bench", company="Bench Telecom")
    pw_hash = hash_password(PASSWORD)  # one hash for all: the logins still verify it with argon2
    first = datetime(2026, 10, 1, tzinfo=UTC)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Bench Phone"
        pkg = Package(reseller_id=rid, name="Standard")
        s.add(pkg)
        s.flush()
        for n in range(sessions):
            c = Client(reseller_id=rid, email=f"load{n}@example.com", password_hash=pw_hash, firstname="Load")
            s.add(c)
            s.flush()
            sub = SubAccount(
                reseller_id=rid, client_id=c.id, package_id=pkg.id, account=f"9{n:05d}_a", sip_password="x"
            )
            s.add(sub)
            s.flush()
            s.add_all(
                Cdr(
                    reseller_id=rid,
                    client_id=c.id,
                    sub_account_id=sub.id,
                    account=sub.account,
                    uniqueid=f"b{n}-{i}",
                    start=first + timedelta(minutes=37 * i),
                    direction="out",
                    callerid="15145550100",
                    destination=f"1514555{i:04d}",
                    disposition="ANSWERED" if i % 4 else "BUSY",
                    duration=60 if i % 4 else 0,
                    billable_seconds=60 if i % 4 else 0,
                    price=Decimal("0.0125") if i % 4 else Decimal("0"),
                )
                for i in range(CALLS_PER_CLIENT)
            )
    print(json.dumps({"rid": rid}))


# --- measuring ---------------------------------------------------------------------------------------------


def _pss_kib(pgid: int) -> int:
    """Proportional set size of every process in the app's process group (KiB)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue  # the process ended meanwhile
    return total


def _redis_bytes(r) -> int:
    """Bytes used by the keys of our Redis database number."""
    return sum(r.memory_usage(k) or 0 for k in r.scan_iter(count=1000))


@dataclass
class Timings:
    """Round trips (seconds) by kind."""

    login: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    by_handler: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1] * 1000


class Session:
    """One browser tab's worth of protocol: a socket.io connection with its own Reflex token."""

    def __init__(self, base: str, names: dict[str, str], rid: int, email: str, t: Timings, think: tuple) -> None:
        import socketio

        self.think = think
        self.base, self.names, self.rid, self.email, self.t = base, names, rid, email, t
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: asyncio.Queue = asyncio.Queue()
        self.sio.on("event", self.updates.put_nowait, namespace=NAMESPACE)

    async def connect(self) -> None:
        """Open the websocket the way the frontend does (token in the query, path /_event)."""
        await self.sio.connect(
            f"{self.base}?token={self.token}",
            socketio_path="_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            wait_timeout=30,
        )

    async def send(self, handler: str, payload: dict, page: str) -> tuple[float, dict]:
        """Emit one event and wait for the update carrying its handler's state delta; returns round trip and delta.

        Reflex may answer one event with several updates (the delta, then the events it returns, like a
        redirect), and a background task may send its own; the answer is the update that holds the delta of the
        handler's state, which Reflex computes after the handler has returned.
        """
        state = self.answered_by(handler)
        path = f"/r/{self.rid}/{page}"
        event = {
            "name": self.names[handler],
            "payload": payload,
            "router_data": {"pathname": path, "asPath": path, "query": {"rid": str(self.rid)}},
        }
        while not self.updates.empty():  # earlier updates are not this event's answer
            self.updates.get_nowait()
        start = time.perf_counter()
        await self.sio.emit("event", event, namespace=NAMESPACE)
        while True:
            update = await asyncio.wait_for(self.updates.get(), timeout=ANSWER_TIMEOUT)
            delta = update.get("delta") or {}
            if state in delta:
                return time.perf_counter() - start, delta

    def answered_by(self, handler: str) -> str:
        """The state whose delta answers `handler`: the page data's state (PAGE_DATA), else the handler's own."""
        return PAGE_DATA[handler][0] if handler in PAGE_DATA else self.names[handler].rsplit(".", 1)[0]

    async def bare(self, page: str) -> None:
        """The baseline: a trivial event on a tiny state."""
        self.t.bare.append((await self.send("clear", {}, page))[0])

    async def login(self, start_at: float) -> bool:
        """Log in at `start_at` (monotonic clock); False when refused."""
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        form = {"form": {"email": self.email, "password": PASSWORD}}
        took, delta = await self.send("client_login", form, "login")
        self.t.login.append(took)
        session = next((v for k, v in delta.items() if k.endswith("session_state")), {})
        if not session.get("client_token_rx_state_"):
            self.t.errors.append(f"{self.email}: login refused: {delta}")
            return False
        return True

    async def browse(self, pages: int) -> None:
        """Open the dashboard and the call history, page through it; think between steps (seconds, uniform)."""
        steps = [("load_dashboard", {}, "dashboard"), ("load_calls", {}, "calls")]
        steps += [("calls_next", {"delta": 1}, "calls")] * pages
        for handler, payload, page in steps:
            await asyncio.sleep(random.uniform(*self.think))  # think time
            try:
                took, delta = await self.send(handler, payload, page)
            except TimeoutError:
                self.t.errors.append(f"{self.email}: {handler}: no answer in {ANSWER_TIMEOUT} s")
                return
            self.t.page.append(took)
            self.t.by_handler.setdefault(handler, []).append(took)
            state, var = PAGE_DATA[handler]
            if not delta[state].get(f"{var}_rx_state_"):
                self.t.errors.append(f"{self.email}: {handler} showed no data: {str(delta[state])[:200]}")
            try:
                await self.bare(page)
            except TimeoutError:
                self.t.errors.append(f"{self.email}: bare event: no answer in {ANSWER_TIMEOUT} s")
                return


# For each page event: the state whose delta carries the page's data, and a var that must hold some (filled in by
# _event_names, from the state classes).
PAGE_DATA: dict[str, tuple[str, str]] = {}


def _event_names() -> dict[str, str]:
    """Full event names as the compiled frontend sends them (state path + handler)."""
    from reseller_app.state.access.login import LoginState
    from reseller_app.state.portal.calls import CallsState
    from reseller_app.state.portal.dashboard import DashboardState
    from reseller_app.state.portal.shell import PortalState

    login, calls = LoginState.get_full_name(), CallsState.get_full_name()
    PAGE_DATA.update(
        load_dashboard=(PortalState.get_full_name(), "summary"),
        load_calls=(calls, "rows"),
        calls_next=(calls, "rows"),
    )
    return {
        "client_login": f"{login}.client_login",
        "clear": f"{login}.clear",
        "load_dashboard": f"{DashboardState.get_full_name()}.load",
        "load_calls": f"{calls}.load",
        "calls_next": f"{calls}.turn",
    }


async def _drive(base: str, rid: int, args: argparse.Namespace, pgid: int, redis_client) -> dict:
    """Run the sessions; returns timings and memory figures."""
    sessions, pages, think = args.sessions, args.pages, tuple(float(x) for x in args.think.split("-"))
    names = _event_names()
    # Warm up (first imports, caches, pools) with one session that is not counted.
    warm_t = Timings()
    warm = Session(base, names, rid, "load0@example.com", warm_t, (0.0, 0.0))
    await warm.connect()
    if await warm.login(time.monotonic()):
        await warm.browse(1)
    await warm.sio.disconnect()
    if warm_t.errors:
        raise RuntimeError(f"warm-up failed: {warm_t.errors}")
    # Then one session alone (no load): what each event costs when nothing queues.
    alone_t = Timings()
    alone = Session(base, names, rid, "load1@example.com", alone_t, (0.2, 0.2))
    await alone.connect()
    if await alone.login(time.monotonic()):
        await alone.browse(pages)
    await alone.sio.disconnect()
    before = _pss_kib(pgid)
    redis_before = _redis_bytes(redis_client) if redis_client is not None else 0
    t = Timings()
    tabs = [Session(base, names, rid, f"load{n}@example.com", t, think) for n in range(sessions)]
    try:
        return {**await _load(tabs, pgid, redis_client, before, redis_before, pages, args.ramp), "alone": alone_t}
    finally:
        await asyncio.gather(*(s.sio.disconnect() for s in tabs), return_exceptions=True)


async def _load(
    tabs: list[Session], pgid: int, redis_client, before: int, redis_before: int, pages: int, ramp: float
) -> dict:
    """Log every session in, let them all browse, measure memory with all of them connected."""
    sessions, t = len(tabs), tabs[0].t
    await asyncio.gather(*(s.connect() for s in tabs))
    # First every session logs in, spread over RAMP s (argon2 hashing is CPU-bound by design and would otherwise be
    # what the page figures measure); then all of them, still connected, browse at once.
    began = time.monotonic()
    logged_in = await asyncio.gather(*(s.login(began + ramp * n / sessions) for n, s in enumerate(tabs)))
    began = time.monotonic()
    await asyncio.gather(*(s.browse(pages) for s, ok in zip(tabs, logged_in, strict=True) if ok))
    wall = time.monotonic() - began
    after = _pss_kib(pgid)
    redis_after = _redis_bytes(redis_client) if redis_client is not None else 0
    return {
        "timings": t,
        "wall": wall,
        "pss_before_mib": before / 1024,
        "pss_after_mib": after / 1024,
        "kib_per_session": (after - before) / sessions,
        "redis_kib_per_session": (redis_after - redis_before) / 1024 / sessions if redis_client is not None else None,
    }


# --- running the app ---------------------------------------------------------------------------------------


def _fresh_database(kind: str, tmp: Path) -> tuple[str, callable]:
    """A throw-away database URL and the function that removes it."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    import psycopg

    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def _empty_redis_db():
    import redis

    for n in range(10, 16):
        r = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=n)
        if r.dbsize() == 0:
            return n, r
    raise RuntimeError("no empty Redis database among 10-15")


def run_config(workers: int, use_redis: bool, args: argparse.Namespace) -> dict:
    """Build, seed, start, drive and stop one configuration."""
    from tests.e2e.conftest import _free_port, app_env, running_app

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url, drop = _fresh_database(args.db, tmp)
    redis_client = None
    try:
        extra = {"DATABASE_URL": url, "GRANIAN_WORKERS": str(workers)}
        if use_redis:
            db_number, redis_client = _empty_redis_db()
            extra["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db_number}"
        port = _free_port()
        env = app_env(tmp, port, **extra)
        subprocess.run([str(ROOT / ".venv/bin/alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--seed", "--sessions", str(args.sessions)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        rid = json.loads(out.stdout.strip().splitlines()[-1])["rid"]
        with running_app(env, tmp) as proc:
            try:
                return asyncio.run(_drive(f"http://127.0.0.1:{port}", rid, args, proc.pid, redis_client))
            except BaseException:
                print(f"app log (tail):\n{(tmp / 'app.log').read_text()[-3000:]}", file=sys.stderr)
                raise
    finally:
        if args.app_log and (tmp / "app.log").exists():
            shutil.copy(tmp / "app.log", Path(args.app_log) / f"load-bench-app-{workers}w.log")
        if redis_client is not None:
            redis_client.flushdb()  # our own database number only (it was empty before)
            redis_client.close()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


def report(label: str, r: dict) -> str:
    """One block of figures."""
    t: Timings = r["timings"]
    p95, bare95 = _pct(t.page, 0.95), _pct(t.bare, 0.95)
    lines = [
        f"== {label} ==",
        f"events: {len(t.page)} page events, {len(t.bare)} bare events, {len(t.login)} logins, "
        f"errors {len(t.errors)}, browsing took {r['wall']:.1f} s",
        f"page events  p50 {_pct(t.page, 0.5):6.1f} ms  p95 {p95:6.1f} ms",
        f"bare event   p50 {_pct(t.bare, 0.5):6.1f} ms  p95 {bare95:6.1f} ms"
        f"   (page p95 / bare p95 = {p95 / bare95:.2f})",
        *(
            f"  {name:<14} p50 {_pct(v, 0.5):6.1f} ms  p95 {_pct(v, 0.95):6.1f} ms"
            for name, v in sorted(t.by_handler.items())
        ),
        f"one session alone: page events p50 {_pct(r['alone'].page, 0.5):.1f} ms, max {max(r['alone'].page) * 1000:.1f}"
        f" ms; bare p50 {_pct(r['alone'].bare, 0.5):.1f} ms",
        f"login        p50 {_pct(t.login, 0.5):6.1f} ms  p95 {_pct(t.login, 0.95):6.1f} ms   (argon2 verify)",
        f"backend PSS  {r['pss_before_mib']:.0f} MiB -> {r['pss_after_mib']:.0f} MiB with all sessions: "
        f"{r['kib_per_session']:.0f} KiB per session",
    ]
    if r["redis_kib_per_session"] is not None:
        lines.append(f"Redis state  {r['redis_kib_per_session']:.1f} KiB per session")
    lines += [f"  error: {e}" for e in t.errors[:5]]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments; seed (internal) or run both configurations and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--pages", type=int, default=3, help="'next' clicks in the call history per session")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which the logins are spread")
    parser.add_argument("--think", default="2-5", help="think time between a user's steps, seconds: MIN-MAX")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--only", choices=["1", "2"], help="run one configuration only")
    parser.add_argument("--app-log", metavar="DIR", help="keep each run's app log in DIR")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.sessions)
        return
    from tests.e2e.conftest import e2e_lock

    configs = [(1, False, "1 worker, in-memory state"), (2, True, "2 workers, state in Redis")]
    if args.only:
        configs = [c for c in configs if str(c[0]) == args.only]
    print(
        f"{args.sessions} sessions, logins over {args.ramp:.0f} s, {args.pages} pages of calls each, "
        f"think time {args.think} s, "
        f"database: {args.db}, cores: {os.cpu_count()}"
    )
    with e2e_lock():
        for workers, use_redis, label in configs:
            result = run_config(workers, use_redis, args)
            print(report(f"{label} ({args.db})", result), flush=True)


if __name__ == "__main__":
    main()
