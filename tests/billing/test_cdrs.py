"""The CDR CSV format: one set of rules for the rating command and for files read into memory (the simulator)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reseller_app.billing.cdrs import CDR_COLUMNS, CdrFileError, read_calls
from reseller_app.billing.cli import rate_file
from reseller_app.billing.deck import LineError
from reseller_app.billing.enums import DISPOSITIONS, ROUTES, Disposition, Route
from reseller_app.billing.package import PackageRules

from .factories import standard_deck

HEADER = ",".join(CDR_COLUMNS) + "\n"
GOOD = (
    "c1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,65,ANSWERED,0\n"
    "c2,2024-03-05T15:01:00,in,sa3,15145550000,15145550123,0,no_answer,1\n"
)
BAD_ROWS = [
    ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,abc,ANSWERED,0\n", "duration: 'abc' is not a whole number"),
    ("x1,yesterday,out,sa3,1,442071234567,5,ANSWERED,0\n", "start: 'yesterday' is not an ISO 8601 time"),
    ("x1,2024-03-05T15:00:00Z,sideways,sa3,1,442071234567,5,ANSWERED,0\n", "direction: 'sideways'"),
    ("x1,2024-03-05T15:00:00Z,out,sa3,1,+442071234567,5,ANSWERED,0\n", "destination: '+442071234567'"),
    ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,RINGING,0\n", "disposition: 'RINGING'"),
    ("x1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,yes\n", "onnet: 'yes' is not 0 or 1"),
    ("x1,2024-03-05T15:00:00Z,out,,1,442071234567,5,ANSWERED,0\n", "account: empty"),
    # Every other field of this row is a spelling the command has already checked (its fast path).
    ("x1,2024-03-05T15:00:00Z,out,   ,1,442071234567,65,ANSWERED,0\n", "account: empty"),
    (",2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n", "call_id: empty"),
    ("x1,2024-03-05T15:00:00Z,out,sa3\n", "expected 9 fields, got 4"),
    ("c1,2024-03-05T15:00:00Z,out,sa3,1,442071234567,5,ANSWERED,0\n", "call_id: 'c1' already on line 2"),
]


def test_a_good_file_becomes_calls_in_utc():
    calls = read_calls(HEADER + GOOD + "\n")
    assert [c.call_id for c in calls] == ["c1", "c2"]
    out, inbound = calls
    assert (out.start, out.direction, out.duration, out.disposition, out.onnet) == (
        datetime(2024, 3, 5, 15, 0, tzinfo=UTC),
        "out",
        65,
        "ANSWERED",
        False,
    )
    # No offset means UTC; dispositions are read case-insensitively with "_" as a space.
    assert (inbound.start, inbound.disposition, inbound.onnet) == (
        datetime(2024, 3, 5, 15, 1, tzinfo=UTC),
        "NO ANSWER",
        True,
    )


def test_columns_in_any_order_and_extra_columns_ignored():
    cols = ["note", *reversed(CDR_COLUMNS)]
    row = ["hi", "0", "ANSWERED", "60", "442071234567", "1", "sa3", "out", "2024-03-05T15:00:00Z", "c9"]
    (call,) = read_calls(",".join(cols) + "\n" + ",".join(row) + "\n")
    assert (call.call_id, call.account, call.destination, call.duration) == ("c9", "sa3", "442071234567", 60)


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_the_rating_command_and_an_uploaded_file_refuse_the_same_rows(tmp_path, row, message):
    text = HEADER + GOOD + row
    with pytest.raises(CdrFileError) as read:
        read_calls(text)
    (problem,) = read.value.problems
    assert problem.line == 4 and message in problem.message
    cdrs = tmp_path / "cdrs.csv"
    cdrs.write_text(text)
    package = PackageRules(name="t", pulse=6, international_route=Route.PREMIUM)
    with pytest.raises(LineError) as rated:
        rate_file(standard_deck(), package, cdrs, tmp_path / "rated.csv")
    assert (rated.value.line, rated.value.message) == (problem.line, problem.message)


def test_every_bad_row_is_listed_up_to_the_limit():
    bad = "x{},2024-03-05T15:00:00Z,out,,1,442071234567,5,ANSWERED,0\n"
    with pytest.raises(CdrFileError) as err:
        read_calls(HEADER + "".join(bad.format(i) for i in range(30)), max_problems=5)
    assert [p.line for p in err.value.problems] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(("header", "message"), [("", "empty file"), ("call_id,start\n", "header lacks column(s)")])
def test_a_bad_header_is_line_1(header, message):
    with pytest.raises(CdrFileError) as err:
        read_calls(header)
    assert err.value.problems[0].line == 1 and message in err.value.problems[0].message


def test_the_vocabularies_are_plain_strings():
    assert ROUTES == ("value", "premium") and Route.PREMIUM == "premium"
    assert DISPOSITIONS == ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")
    assert Disposition.parse(" no_answer ") is Disposition.NO_ANSWER
    assert Disposition.parse("noanswer") is Disposition.NO_ANSWER
    with pytest.raises(ValueError, match="not one of ANSWERED, NO ANSWER"):
        Disposition.parse("RINGING")
