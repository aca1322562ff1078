"""Benchmark of the rating command: a 50,000-prefix deck and 1,000,000 CDRs.

Generates the files in a temporary directory, then runs, as subprocesses of the same
interpreter (so all include start-up):
  * the rating command  `python -m reseller_app.billing rate ...`  with its default columns
    engine (one process, Polars' threads), and with `--engine rows` in one process (`--jobs 1`)
    and in the default 2 processes for a file this size
  * a plain csv read + write of the same CDR file (csv.reader -> csv.writer, row by row)
`--repeat` times each, interleaved, and prints the medians, CDRs per second and the ratio.

    .venv/bin/python bench/rate_bench.py [--cdrs 1000000] [--prefixes 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLAIN = """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as o:
    w = csv.writer(o, lineterminator="\\n")
    for row in csv.reader(f):
        w.writerow(row)
"""

PACKAGE = {
    "name": "Bench",
    "markup_fixed": "0.0025",
    "markup_percent": "20",
    "pulse": 6,
    "canada_route": "value",
    "international_route": "premium",
    "onnet_free": True,
    "free_minutes": 100,
    "billing_anchor": "2024-01-31",
    "did_rate": "0.005",
    "area_rates": [{"prefix": "4420", "rate": "0.0150"}, {"country": "FR", "rate": "0.0200"}],
    "free_zones": [{"prefix": "1800"}, {"country": "DE"}, {"max_rate": "0.001"}],
}


def make_deck(path: Path, n: int, rng: random.Random) -> list[str]:
    """Write a deck of n prefixes (both routes) and return the prefixes, NANP first."""
    import phonenumbers

    ccs = sorted(str(cc) for cc in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if cc != 1)
    rows: dict[tuple[str, str], tuple[str, str]] = {}

    def add(route: str, prefix: str, name: str) -> None:
        if (route, prefix) not in rows:
            rate = rng.choice((rng.randint(500, 20000), rng.randint(1000, 400000)))
            rows[(route, prefix)] = (name, f"{rate // 1000000}.{rate % 1000000:06d}")

    for npa in range(200, 1000):
        add("premium", f"1{npa}", "NANP")
        add("value", f"1{npa}", "NANP")
    for cc in ccs:
        add("premium", cc, f"CC {cc}")
        add("value", cc, f"CC {cc}")
    nanp_share = n * 2 // 5
    while len(rows) < nanp_share:  # 1 NPA NXX prefixes, as real decks have
        add(rng.choice(("premium", "value")), f"1{rng.randint(200, 999)}{rng.randint(200, 999)}", "NANP")
    while len(rows) < n:
        cc = rng.choice(ccs)
        add(rng.choice(("premium", "value")), cc + str(rng.randint(0, 10 ** rng.randint(1, 4) - 1)), f"CC {cc}")
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["prefix", "destination", "route", "rate", "increment"])
        for (route, prefix), (name, rate) in rows.items():
            w.writerow([prefix, name, route, rate, rng.choice(("", "", "", "1", "30", "60"))])
    return sorted({p for _, p in rows}, key=lambda p: (p[0] != "1", p))


def make_cdrs(path: Path, n: int, prefixes: list[str], rng: random.Random) -> None:
    """Write n CDRs: 85 % outbound, 30 % unanswered, mostly in start order, a few unrated."""
    nanp = [p for p in prefixes if p[0] == "1"]
    other = [p for p in prefixes if p[0] != "1"]
    t0 = datetime(2024, 1, 1)
    step = 60 * 86400 / n
    dispositions = ["ANSWERED"] * 14 + ["NO ANSWER"] * 3 + ["BUSY"] * 2 + ["FAILED"]
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            ["call_id", "start", "direction", "account", "caller", "destination", "duration", "disposition", "onnet"]
        )
        rand, choice = rng.random, rng.choice
        for i in range(n):
            start = t0 + timedelta(seconds=i * step + rand() * 30)
            r = rand()
            if r < 0.003:
                dest = "999" + str(rng.randint(10**8, 10**9))  # no such country: unrated
            elif r < 0.6:
                p = choice(nanp)
                dest = p + str(rng.randint(0, 10**11))[: 11 - len(p)].rjust(11 - len(p), "0")
            else:
                p = choice(other)
                dest = p + str(rng.randint(10**9, 10**10))[: max(2, 12 - len(p))]
            disp = choice(dispositions)
            duration = int(rng.expovariate(1 / 180)) if disp == "ANSWERED" else 0
            inbound = rand() < 0.15
            w.writerow(
                [
                    f"c{i:08d}",
                    start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "in" if inbound else "out",
                    f"sa{rng.randint(1, 2000)}",
                    f"1514{rng.randint(2000000, 9999999)}",
                    f"1438{rng.randint(2000000, 9999999)}" if inbound else dest,
                    duration,
                    disp,
                    1 if rand() < 0.02 else 0,
                ]
            )


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command, fail loudly on error; return wall seconds, CPU seconds (all its processes), stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cdrs", type=int, default=1_000_000)
    ap.add_argument("--prefixes", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240131)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="rate_bench_") as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        prefixes = make_deck(d / "deck.csv", args.prefixes, rng)
        (d / "package.json").write_text(json.dumps(PACKAGE))
        make_cdrs(d / "cdrs.csv", args.cdrs, prefixes, rng)
        size = (d / "cdrs.csv").stat().st_size
        took = time.perf_counter() - t
        print(f"generated {args.prefixes:,} prefixes and {args.cdrs:,} CDRs ({size / 1e6:.0f} MB) in {took:.1f}s")

        rate_cmd = [sys.executable, "-m", "reseller_app.billing", "rate", "--deck", str(d / "deck.csv")]
        rate_cmd += ["--package", str(d / "package.json"), "--cdrs", str(d / "cdrs.csv"), "--out", str(d / "rated.csv")]
        plain_cmd = [sys.executable, "-c", PLAIN, str(d / "cdrs.csv"), str(d / "plain.csv")]
        modes = {
            "columns (default)": [],
            "rows, --jobs 1": ["--engine", "rows", "--jobs", "1"],
            "rows, default jobs": ["--engine", "rows"],
        }
        times: dict[str, list[float]] = {"plain": [], **{m: [] for m in modes}}
        cpus: dict[str, list[float]] = {k: [] for k in times}
        used: dict[str, str] = {}
        outputs = set()
        for i in range(args.repeat):
            elapsed, cpu, _ = timed(plain_cmd, env)
            times["plain"].append(elapsed)
            cpus["plain"].append(cpu)
            for mode, extra in modes.items():
                elapsed, cpu, summary = timed(rate_cmd + extra, env)
                times[mode].append(elapsed)
                cpus[mode].append(cpu)
                used[mode] = summary.split(" with ")[-1].split(" process")[0]  # "rated ... with 2 process(es)"
                if ("column-wise" in summary) != mode.startswith("columns"):
                    sys.exit(f"{mode}: the command rated with another engine than asked:\n{summary}")
                outputs.add(hashlib.sha256((d / "rated.csv").read_bytes()).hexdigest())
            print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()))
        with (d / "rated.csv").open(newline="") as f:
            reasons: dict[str, int] = {}
            for row in csv.DictReader(f):
                reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
        print(f"reasons: {dict(sorted(reasons.items()))}")
        print(f"outputs identical across modes and runs: {len(outputs) == 1}")
        plain_med = statistics.median(times["plain"])
        plain_cpu = statistics.median(cpus["plain"])
        print(f"load average during the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
        print(
            "medians of subprocess runs (start-up, deck load and writing included);"
            " cpu = user+sys, all processes and threads"
        )
        for mode in times:
            wall, cpu = statistics.median(times[mode]), statistics.median(cpus[mode])
            if mode == "plain":
                label, speed = "plain csv read+write", f"{args.cdrs / wall:>9,.0f} rows/s"
            else:
                label = f"rate, {mode} ({used[mode]} proc.)"
                speed = f"{args.cdrs / wall:>9,.0f} CDRs/s  {wall / plain_med:.2f}x plain, cpu {cpu / plain_cpu:.2f}x"
            print(f"{label:<36} wall {wall:6.2f}s  cpu {cpu:6.2f}s  {speed}  (best wall {min(times[mode]):.2f}s)")


if __name__ == "__main__":
    main()
