"""Contention bench: does a flood of failed logins slow down or break the money path?

4 processes post payments and charges through the services (`manual_posting`, each to its own client, at a steady
pace) while, in every other window of the same run, 4 threads send failed logins: the client portal's login service
(`auth.login_client`) and the REST API's authentication (`api_access.authenticate`), each attempt with a new made-up
name so the lockouts never stop them. The windows alternate so that whatever else the machine does weighs on both.
Prints the postings' p50 / p95 without the flood and with it, the ratio of the p95s (target: at most 2) and every
posting error (target: none, in particular no "database is locked").

    python bench/contention_bench.py [--seconds 8] [--rounds 3] [--posters 4] [--flooders 4] [--pace-ms 40]
                                     [--pg ADMIN_URL | --no-pg] [--no-sqlite]

SQLite runs on a temporary file (WAL); PostgreSQL on a scratch database `contention_bench` created on the server of
`--pg` (default postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards. Passwords are hashed and
verified with the portal's own argon2 parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESELLER = "contention-reseller@example.com"
API_PW = "bench-api-password-1"


# --- set-up (in the calling process) -------------------------------------------------------------------


def setup(posters: int) -> dict:
    """A reseller with its portal and API on, and one client per posting process."""
    from reseller_app.db import session_scope
    from reseller_app.models import Client, Reseller
    from reseller_app.services.access.actor import Actor
    from reseller_app.services.access.auth import create_reseller
    from reseller_app.services.api import access as api_access

    rid = create_reseller(RESELLER, "login-password-1")
    actor = Actor("reseller", rid)
    api_access.set_password(actor, API_PW, API_PW)
    api_access.set_access(actor, True, "")
    clients = []
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        for i in range(posters):
            c = Client(reseller_id=rid, email=f"poster-{i}@example.com", password_hash="x", firstname=f"P{i}")
            s.add(c)
            s.flush()
            clients.append(c.id)
    return {"reseller": rid, "clients": clients}


# --- one posting process -------------------------------------------------------------------------------


def _poster(index: int, reseller_id: int, client_id: int, pace: float, folder: str) -> dict:
    """Post a payment or a charge every `pace` seconds from `go` until `stop`; each posting's start, time, error."""
    from reseller_app.services.access.actor import Actor
    from reseller_app.services.accounting.postings import manual_posting

    actor = Actor("reseller", reseller_id)
    go, stop = Path(folder, "go"), Path(folder, "stop")
    manual_posting(actor, client_id, "payment", Decimal("100"), "Opening", reference=f"p{index}-open")  # warm
    Path(folder, f"ready-{index}").touch()
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("no start signal")
        time.sleep(0.005)
    done: list[tuple[float, float, str]] = []
    i = 0
    next_at = time.monotonic()
    while not stop.exists():
        kind = "charge" if i % 2 else "payment"
        started_wall, started = time.time(), time.perf_counter()
        error = ""
        try:
            manual_posting(actor, client_id, kind, Decimal("1.25"), f"Bench {kind}", reference=f"p{index}-{i}")
        except Exception as e:  # noqa: BLE001 - every failure is counted and printed by the caller
            error = f"{type(e).__name__}: {e}"[:200]
        done.append((started_wall, time.perf_counter() - started, error))
        i += 1
        next_at += pace
        now = time.monotonic()
        if next_at > now:
            time.sleep(next_at - now)
        else:
            next_at = now  # behind: no burst to catch up
    return {"postings": done}


# --- the flood (threads in the calling process) --------------------------------------------------------


class Flood:
    """Threads sending failed logins with made-up names: the client portal's login and the REST API's."""

    def __init__(self, threads: int, reseller_id: int) -> None:
        """Prepare `threads` threads against this reseller's portal and API; they send while `on` is set."""
        self.reseller_id = reseller_id
        self.on = threading.Event()
        self.stop = threading.Event()
        self.attempts = 0
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]
        for t in self._threads:
            t.start()

    def join(self) -> None:
        """Stop and wait for every thread."""
        self.stop.set()
        self.on.set()
        for t in self._threads:
            t.join()

    def _run(self, n: int) -> None:
        from reseller_app.services.access import auth
        from reseller_app.services.api import access as api_access
        from reseller_app.services.api.access import ApiError
        from reseller_app.services.common.errors import AuthFailed

        i = 0
        while True:
            self.on.wait()
            if self.stop.is_set():
                return
            name = f"nobody-{uuid.uuid4().hex[:12]}@example.com"
            try:
                if i % 2 == 0:
                    auth.login_client(self.reseller_id, name, "wrong-password-1")
                else:
                    api_access.authenticate(name, "wrong-password-1", f"198.51.100.{n + 1}")
                error = "a made-up login was accepted"
            except (AuthFailed, ApiError):
                error = ""
            except Exception as e:  # noqa: BLE001 - counted and printed
                error = f"{type(e).__name__}: {e}"[:200]
            with self._lock:
                self.attempts += 1
                if error:
                    self.unexpected.append(error)
            i += 1


# --- a whole run on one database -----------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(url: str, *, seconds: float, rounds: int, posters: int, flooders: int, pace: float) -> dict:
    """`rounds` times: postings without the flood for `seconds`, then with it for `seconds`; one run, one database.

    Windows alternate so that anything else the machine does weighs on both alike; the second after each switch
    (logins still in flight, or not yet under way) is not measured.
    """
    ids = setup(posters)
    quiet: list[tuple[float, float]] = []
    flooded: list[tuple[float, float]] = []
    attempts = 0
    with tempfile.TemporaryDirectory() as folder:
        procs = []
        for n in range(posters):
            args = json.dumps([n, ids["reseller"], ids["clients"][n], pace, folder])
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "poster", args],
                    cwd=ROOT,
                    env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        flood = Flood(flooders, ids["reseller"])
        try:
            deadline = time.monotonic() + 120
            while not all(Path(folder, f"ready-{n}").exists() for n in range(posters)):
                if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                    raise RuntimeError("a posting process did not start:\n" + _errors(procs))
                time.sleep(0.05)
            Path(folder, "go").touch()
            for _ in range(rounds):
                time.sleep(1.0)  # settle: not measured
                quiet.append((time.time(), time.time() + seconds))
                time.sleep(seconds)
                flood.on.set()
                time.sleep(1.0)  # the flood gets under way: not measured
                before = flood.attempts
                flooded.append((time.time(), time.time() + seconds))
                time.sleep(seconds)
                attempts += flood.attempts - before
                flood.on.clear()
        finally:
            flood.join()
            Path(folder, "stop").touch()
        outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        if p.returncode != 0:
            raise RuntimeError(f"a posting process failed ({p.returncode}):\n{err[-3000:]}")
    postings = [tuple(x) for out, _ in outs for x in json.loads(out.strip().splitlines()[-1])["postings"]]

    def window(spans: list[tuple[float, float]]) -> dict:
        rows = [p for p in postings if any(a <= p[0] < b for a, b in spans)]
        ok = [p[1] * 1000 for p in rows if not p[2]]
        return {
            "n": len(rows),
            "p50": _pct(ok, 50),
            "p95": _pct(ok, 95),
            "max": max(ok, default=float("nan")),
            "errors": [p[2] for p in rows if p[2]],
        }

    return {
        "quiet": window(quiet),
        "flood": window(flooded),
        "flood_attempts_per_s": attempts / (seconds * rounds),
        "flood_unexpected": flood.unexpected,
        "all_errors": [p[2] for p in postings if p[2]],
    }


def _errors(procs: list[subprocess.Popen]) -> str:
    out = []
    for p in procs:
        if p.poll() is not None and p.stderr is not None:
            out.append(p.stderr.read()[-2000:])
    return "\n".join(out)


def _bench(label: str, url: str, args: argparse.Namespace) -> bool:
    os.environ["DATABASE_URL"] = url
    from bench.concurrency_bench import migrated
    from reseller_app import db

    db.use_engine(db.make_engine(url))
    migrated(url)
    try:
        r = run(
            url,
            seconds=args.seconds,
            rounds=args.rounds,
            posters=args.posters,
            flooders=args.flooders,
            pace=args.pace_ms / 1000,
        )
    finally:
        db.engine().dispose()
    q, f = r["quiet"], r["flood"]
    ratio = f["p95"] / q["p95"]
    locked = sum("database is locked" in e for e in r["all_errors"] + r["flood_unexpected"])
    print(
        f"{label}: {args.posters} posting processes, one posting per {args.pace_ms:.0f} ms each;"
        f" {args.rounds} rounds of {args.seconds:.0f} s without and {args.seconds:.0f} s with the flood"
    )
    print(
        f"  without the flood: {q['n']} postings, p50 {q['p50']:.1f} ms, p95 {q['p95']:.1f} ms, max {q['max']:.1f} ms"
    )
    print(
        f"  with the flood:    {f['n']} postings, p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms, max {f['max']:.1f} ms"
        f" ({args.flooders} threads, {r['flood_attempts_per_s']:.1f} failed logins/s)"
    )
    print(
        f"  p95 ratio {ratio:.2f} (target <= 2); posting errors {len(r['all_errors'])}; 'database is locked' {locked}"
    )
    for e in sorted(set(r["all_errors"]))[:5]:
        print(f"    posting error: {e}")
    for e in sorted(set(r["flood_unexpected"]))[:5]:
        print(f"    flood error: {e}")
    return ratio <= 2 and not r["all_errors"] and not r["flood_unexpected"]


def main() -> None:
    """Run the bench on SQLite (a temporary file) and on PostgreSQL (a scratch database it creates and drops)."""
    os.environ["ARGON2_PROFILE"] = "default"  # the production cost, here and in the posting processes
    if len(sys.argv) > 1 and sys.argv[1] == "poster":
        print(json.dumps(_poster(*json.loads(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each measured window")
    ap.add_argument("--rounds", type=int, default=3, help="how many times the flood is switched on and off")
    ap.add_argument("--posters", type=int, default=4)
    ap.add_argument("--flooders", type=int, default=4)
    ap.add_argument("--pace-ms", type=float, default=40.0, help="time between two postings of one process")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="server to create the db on")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    met = True
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            met &= _bench("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args)
    if not args.no_pg:
        from bench.concurrency_bench import scratch_pg

        with scratch_pg(args.pg, "contention_bench") as url:
            met &= _bench("PostgreSQL", url, args)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
