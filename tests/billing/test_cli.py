"""The rating command: output, errors with line numbers, atomic writes, two processes."""

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reseller_app.billing.cli import load_package, main, rate_file
from reseller_app.billing.deck import LineError, RateDeck

ROOT = Path(__file__).resolve().parents[2]
HEADER = "call_id,start,direction,account,caller,destination,duration,disposition,onnet\n"
DECK = """prefix,destination,route,rate,increment
1,NANP,premium,0.010000,
1514,Montreal,value,0.005000,
1514,Montreal,premium,0.009000,
44,UK,premium,0.010000,
447,UK mobile,premium,0.050000,
4930,Berlin,premium,0.020000,60
"""
PACKAGE = {
    "name": "Test",
    "markup_fixed": "0.0025",
    "markup_percent": "20",
    "pulse": 6,
    "canada_route": "value",
    "international_route": "premium",
    "onnet_free": True,
    "free_minutes": 10,
    "billing_anchor": "2024-01-31",
    "did_rate": "0.01",
    "area_rates": [{"prefix": "4420", "rate": "0.015"}],
    "free_zones": [{"country": "DE"}],
}
CDRS = (
    HEADER
    + "c3,2024-03-05T14:00:00Z,out,sa1,15145550000,447911123456,125,ANSWERED,0\n"
    + "c1,2024-03-05T12:00:00Z,out,sa1,15145550000,447911123456,191,ANSWERED,0\n"
    + "c2,2024-03-05T13:00:00Z,out,sa1,15145550000,447911123456,300,ANSWERED,0\n"
    + "c4,2024-03-05T15:00:00Z,out,sa1,15145550000,447911123456,30,ANSWERED,0\n"
    + "c5,2024-03-05T15:00:00Z,out,sa2,15145550000,442071234567,61,BUSY,0\n"
    + "c6,2024-03-05T15:00:00Z,out,sa2,15145550000,4930123456,61,ANSWERED,0\n"
    + "c7,2024-03-05T15:00:00Z,out,sa2,15145550000,15145551234,61,ANSWERED,1\n"
    + "c8,2024-03-05T15:00:00Z,in,sa3,15145550000,14385550000,61,ANSWERED,0\n"
    + "c9,2024-03-05T15:00:00Z,out,sa3,15145550000,999123,61,ANSWERED,0\n"
    + "c10,2024-03-05T15:00:00Z,out,sa3,15145550000,442071234567,61,ANSWERED,0\n"
)
EXPECTED = """call_id,billable_seconds,cost_rate,cost,sell_rate,price,profit,reason
c3,66,0.050000,0.1050,0.063000,0.0693,-0.0357,
c1,0,0.050000,0.1600,0.063000,0.0000,-0.1600,free_minutes
c2,0,0.050000,0.2500,0.063000,0.0000,-0.2500,free_minutes
c4,30,0.050000,0.0250,0.063000,0.0315,0.0065,
c5,0,0.010000,0.0000,0.015000,0.0000,0.0000,not_answered
c6,66,0.020000,0.0400,0.000000,0.0000,-0.0400,free_zone
c7,66,0.000000,0.0000,0.000000,0.0000,0.0000,onnet
c8,0,0.000000,0.0000,0.010000,0.0000,0.0000,free_minutes
c9,66,,,,,,unrated
c10,0,0.010000,0.0110,0.015000,0.0000,-0.0110,free_minutes
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "deck.csv").write_text(DECK)
    (tmp_path / "package.json").write_text(json.dumps(PACKAGE))
    (tmp_path / "cdrs.csv").write_text(CDRS)
    return tmp_path


def run(d, *extra, cdrs="cdrs.csv", package="package.json", deck="deck.csv"):
    args = ["rate", "--deck", str(d / deck), "--package", str(d / package), "--cdrs", str(d / cdrs)]
    return main([*args, "--out", str(d / "rated.csv"), *extra])


def test_command_end_to_end_as_a_subprocess(files):
    cmd = [sys.executable, "-m", "reseller_app.billing", "rate", "--deck", "deck.csv", "--package", "package.json"]
    cmd += ["--cdrs", "cdrs.csv", "--out", "rated.csv"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, cwd=files, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (files / "rated.csv").read_text() == EXPECTED
    assert "rated 10 calls" in proc.stderr and "1 UNRATED" in proc.stderr


def test_worked_rows(files):
    """c3: 1 free minute left of 10 after c1 (4) and c2 (5); 65 s remain -> 66 s x 0.063 = 0.0693.
    c10: area rate 0.015 on 4420, but c10 starts after c9 and sa3's pool covers it."""
    assert run(files) == 0
    assert (files / "rated.csv").read_text() == EXPECTED


# The engines: the whole file column-wise, and row by row in one or two processes.
MODES = [["--engine", "columns"], ["--engine", "rows", "--jobs", "1"], ["--engine", "rows", "--jobs", "2"]]
MODE_IDS = ["columns", "rows-1", "rows-2"]


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_engines_and_jobs_give_identical_output(files, mode, capsys):
    assert run(files, *mode) == 0
    assert (files / "rated.csv").read_text() == EXPECTED
    err = capsys.readouterr().err
    assert "rated 10 calls" in err
    assert ("column-wise" if mode[1] == "columns" else "row by row") in err


def _bad(files, row, capsys, mode):
    (files / "cdrs.csv").write_text(CDRS + row)
    (files / "rated.csv").write_text("previous output\n")
    assert run(files, *mode) == 1
    err = capsys.readouterr().err
    assert (files / "rated.csv").read_text() == "previous output\n"  # untouched
    assert [p.name for p in files.iterdir() if p.name.endswith(".tmp")] == []  # no temp left
    return err


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,abc,ANSWERED,0\n", "duration: 'abc' is not a whole number"),
        ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,-5,ANSWERED,0\n", "duration: '-5'"),
        ("x1,yesterday,out,sa3,1,442071234567,5,ANSWERED,0\n", "start: 'yesterday' is not an ISO 8601 time"),
        ("x1,2024-03-05T15:00:00Z,sideways,sa3,1,442071234567,5,ANSWERED,0\n", "direction: 'sideways'"),
        ("x1,2024-03-05T15:00:00Z,out,sa3,1,+442071234567,5,ANSWERED,0\n", "destination: '\\+442071234567'"),
        ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,RINGING,0\n", "disposition: 'RINGING'"),
        ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,yes\n", "onnet: 'yes' is not 0 or 1"),
        ("x1,2024-03-05T15:00:00Z,out,,1,442071234567,5,ANSWERED,0\n", "account: empty"),
        (",2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n", "call_id: empty"),
        ("x1,2024-03-05T15:00:00Z,out,sa3\n", "expected 9 fields, got 4"),
        ("c4,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n", "call_id: 'c4' already on line 5"),
    ],
)
def test_malformed_row_fails_with_its_line_and_writes_nothing(files, capsys, row, message, mode):
    err = _bad(files, row, capsys, mode)
    assert "cdrs.csv:12: " in err
    assert re.search(message, err), err


@pytest.mark.parametrize("engine", ["columns", "rows"])
def test_error_line_counts_across_the_split_in_two_processes(tmp_path, engine):
    (tmp_path / "deck.csv").write_text(DECK)
    (tmp_path / "package.json").write_text(json.dumps(PACKAGE))
    good = "g{},2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n"
    rows = [good.format(i) for i in range(3000)]
    rows[2500] = "bad,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,2\n"
    (tmp_path / "cdrs.csv").write_text(HEADER + "".join(rows))
    with pytest.raises(LineError) as err:
        rate_file(
            RateDeck.load_csv(tmp_path / "deck.csv"),
            load_package(tmp_path / "package.json"),
            tmp_path / "cdrs.csv",
            tmp_path / "rated.csv",
            jobs=2,
            engine=engine,
        )
    assert err.value.line == 2502 and "onnet" in err.value.message


def test_bad_package_and_deck_are_reported(files, capsys):
    (files / "p2.json").write_text(json.dumps({**PACKAGE, "pulse": 0}))
    assert run(files, package="p2.json") == 1
    assert "p2.json:1: pulse" in capsys.readouterr().err
    (files / "p3.json").write_text('{"pulse": 6,\n "x": }')
    assert run(files, package="p3.json") == 1
    assert "p3.json:2: invalid JSON" in capsys.readouterr().err
    (files / "d2.csv").write_text(DECK + "44,UK,premium,0.01,\n")
    assert run(files, deck="d2.csv") == 1
    assert "d2.csv:8: duplicate prefix 44" in capsys.readouterr().err
    assert run(files, cdrs="missing.csv") == 1
    assert "missing.csv" in capsys.readouterr().err
    assert not (files / "rated.csv").exists()


def test_free_minutes_without_anchor(files, capsys):
    (files / "p.json").write_text(json.dumps({k: v for k, v in PACKAGE.items() if k != "billing_anchor"}))
    assert run(files, package="p.json") == 1
    assert "billing_anchor" in capsys.readouterr().err


def test_columns_in_any_order_extra_columns_blank_lines_bom_and_quoted_ids(files):
    with (files / "cdrs.csv").open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "onnet",
                "duration",
                "note",
                "call_id",
                "start",
                "direction",
                "account",
                "caller",
                "destination",
                "disposition",
            ]
        )
        w.writerow(
            [
                "0",
                "61",
                "hello, world",
                'id,"1"',
                "2024-03-05T15:00:00+01:00",
                "OUT",
                "sa1",
                "1",
                "442071234567",
                "answered",
            ]
        )
        f.write("\r\n")
        w.writerow(["0", "60", "", "id2", "2024-03-05 15:00:00", "in", "sa1", "1", "14385550000", "No Answer"])
    assert run(files) == 0
    rows = list(csv.reader((files / "rated.csv").open(newline="")))
    assert rows[1] == ['id,"1"', "0", "0.010000", "0.0110", "0.015000", "0.0000", "-0.0110", "free_minutes"]
    assert rows[2][0] == "id2" and rows[2][-1] == "not_answered"


def test_header_checked(files, capsys):
    (files / "cdrs.csv").write_text("call_id,start\n")
    assert run(files) == 1
    assert "cdrs.csv:1: header lacks column(s) direction" in capsys.readouterr().err
    (files / "cdrs.csv").write_text("")
    assert run(files) == 1
    assert "cdrs.csv:1: empty file" in capsys.readouterr().err


def test_header_only_file_rates_nothing(files):
    (files / "cdrs.csv").write_text(HEADER)
    assert run(files) == 0
    assert (files / "rated.csv").read_text().startswith("call_id,billable_seconds")


def test_bad_utf8(files, capsys):
    (files / "cdrs.csv").write_bytes(HEADER.encode() + b"c1,2024-03-05T15:00:00Z,out,sa\xff,1,44,5,ANSWERED,0\n")
    assert run(files) == 1
    assert "not valid UTF-8" in capsys.readouterr().err


def test_progress_bar_on_request(files, capsys):
    assert run(files, "--progress") == 0
    assert "100%" in capsys.readouterr().err
    assert run(files) == 0
    assert "rating [" not in capsys.readouterr().err  # not a TTY, not asked


def test_output_keeps_normal_permissions(files):
    assert run(files) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (files / "rated.csv").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(("engine", "jobs"), [("columns", 1), ("rows", 1), ("rows", 2)])
def test_free_minutes_left_in_one_cycle_do_not_spill_into_the_next(tmp_path, engine, jobs):
    # sa1 uses 3 of its 10 minutes in the Feb 29 cycle; its Mar 31 calls get a fresh pool of 10,
    # and in two processes the March calls sit in the other half of the file.
    (tmp_path / "deck.csv").write_text(DECK)
    (tmp_path / "package.json").write_text(json.dumps(PACKAGE))
    rows = ["a0,2024-03-05T10:00:00Z,out,sa1,1,447911123456,120,ANSWERED,0\n"]
    rows += [f"p{i:03d},2024-03-06T10:00:00Z,out,sa2,1,447911123456,5,BUSY,0\n" for i in range(300)]
    rows += ["a1,2024-03-06T10:00:00Z,out,sa1,1,447911123456,60,ANSWERED,0\n"]  # same pool, other half
    rows += [f"b{i},2024-04-0{i + 1}T10:00:00Z,out,sa1,1,447911123456,240,ANSWERED,0\n" for i in range(4)]
    (tmp_path / "cdrs.csv").write_text(HEADER + "".join(rows))
    rate_file(
        RateDeck.load_csv(tmp_path / "deck.csv"),
        load_package(tmp_path / "package.json"),
        tmp_path / "cdrs.csv",
        tmp_path / "rated.csv",
        jobs=jobs,
        engine=engine,
    )
    out = {r["call_id"]: r for r in csv.DictReader((tmp_path / "rated.csv").open())}
    assert out["a0"]["reason"] == out["a1"]["reason"] == "free_minutes"
    # 10 fresh minutes: b0 (4) and b1 (4) free, b2 takes the last 2 and bills 120 s, b3 bills in full.
    assert [out[f"b{i}"]["reason"] for i in range(4)] == ["free_minutes", "free_minutes", "", ""]
    assert (out["b2"]["billable_seconds"], out["b3"]["billable_seconds"]) == ("120", "240")


def test_a_terminated_run_leaves_no_file_behind(tmp_path):
    (tmp_path / "deck.csv").write_text(DECK)
    (tmp_path / "package.json").write_text(json.dumps(PACKAGE))
    row = "c{},2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n"
    with (tmp_path / "cdrs.csv").open("w") as f:
        f.write(HEADER)
        f.writelines(row.format(i) for i in range(300_000))
    cmd = [sys.executable, "-m", "reseller_app.billing", "rate", "--deck", "deck.csv", "--package", "package.json"]
    # Row by row: slow enough to be stopped mid-way (the clean-up in rate_file is the same for both engines).
    cmd += ["--cdrs", "cdrs.csv", "--out", "rated.csv", "--engine", "rows", "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.terminate()
    assert proc.wait(timeout=60) == 143
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdrs.csv", "deck.csv", "package.json"]


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("quoted", [False, True])
def test_line_numbers_count_blank_lines_and_reordered_columns(files, capsys, mode, quoted):
    note = '"x"' if quoted else "x"  # a quote anywhere sends the file through the csv module
    rows = [f"c{i},2024-03-05T15:00:00Z,out,sa1,1,442071234567,5,ANSWERED,0,{note}\n" for i in range(5)]
    rows.insert(2, "\n")
    rows.append("c9,2024-03-05T15:00:00Z,out,sa1,1,442071234567,5,ANSWERED\n")  # 8 fields, 10 expected
    (files / "cdrs.csv").write_text(HEADER.rstrip("\n") + ",note\n" + "".join(rows))
    assert run(files, *mode) == 1
    assert "cdrs.csv:8: expected 10 fields, got 8" in capsys.readouterr().err
    rows[-1] = "c9,2024-03-05T15:00:00Z,out,sa1,1,442071234567,5,ANSWERED,maybe,x\n"
    (files / "cdrs.csv").write_text(HEADER.rstrip("\n") + ",note\n" + "".join(rows))
    assert run(files, *mode) == 1
    assert "cdrs.csv:8: onnet: 'maybe'" in capsys.readouterr().err


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(files, mode, newline):
    (files / "cdrs.csv").write_bytes(CDRS.replace("\n", newline).encode())
    assert run(files, *mode) == 0
    assert (files / "rated.csv").read_text() == EXPECTED
