"""MESSAGES.csv and the rating command's --messages: parts counted as live billing counts them, the package's
per-message rates or its markup, errors by line, nothing written on error, calls' output unchanged."""

import json
from decimal import Decimal

import pytest

from reseller_app.billing.cli import SHIPPED_SMS_DECK, main
from reseller_app.billing.message_file import MessageFileError, read_messages
from reseller_app.billing.messages import MessageKind, load_costs_csv
from reseller_app.billing.package import PackageRules
from tests.billing.test_cli import CDRS, DECK, EXPECTED, PACKAGE

D = Decimal
SMS_DECK = "kind,direction,cost\nsms,out,0.0075\nsms,in,0.001\nmms,out,0.02\nmms,in,0.01\n"
# 160 GSM-7 characters fit one part, 161 need two (153 + 8); an extension character counts two septets;
# any other character makes the text UCS-2: 70 in one part, 71 in two.
MESSAGES = (
    "message_id,kind,direction,parts,text\n"
    f"m1,sms,out,,{'a' * 160}\n"
    f"m2,sms,out,,{'a' * 161}\n"
    f"m3,sms,out,,{'a' * 159}€\n"
    f"m4,sms,out,,{'ж' * 70}\n"
    f"m5,sms,out,,{'ж' * 71}\n"
    "m6,sms,out,4,\n"
    f"m7,SMS,IN,,{'ж' * 200}\n"
    "m8,mms,out,,a picture\n"
    "m9,mms,in,1,\n"
    '"m,10",sms,out,,"a, quoted ""text"""\n'
)
# PACKAGE: markup 0.0025 fixed and 20 %. SMS out at the markup: (0.0075 + 0.0025) * 1.2 = 0.012 per part;
# SMS in at the package's own rate 0.003; MMS out at its own rate 0 (free, not unset); MMS in at the markup 0.0150.
RATES = {"sms_in_rate": "0.003", "mms_out_rate": "0"}
EXPECTED_MESSAGES = """message_id,kind,direction,parts,units,cost_rate,cost,sell_rate,price,profit,rule
m1,sms,out,1,1,0.007500,0.0075,0.012000,0.0120,0.0045,markup
m2,sms,out,2,2,0.007500,0.0150,0.012000,0.0240,0.0090,markup
m3,sms,out,2,2,0.007500,0.0150,0.012000,0.0240,0.0090,markup
m4,sms,out,1,1,0.007500,0.0075,0.012000,0.0120,0.0045,markup
m5,sms,out,2,2,0.007500,0.0150,0.012000,0.0240,0.0090,markup
m6,sms,out,4,4,0.007500,0.0300,0.012000,0.0480,0.0180,markup
m7,sms,in,3,1,0.001000,0.0010,0.003000,0.0030,0.0020,package
m8,mms,out,1,1,0.020000,0.0200,0.000000,0.0000,-0.0200,package
m9,mms,in,1,1,0.010000,0.0100,0.015000,0.0150,0.0050,markup
"m,10",sms,out,1,1,0.007500,0.0075,0.012000,0.0120,0.0045,markup
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "deck.csv").write_text(DECK)
    (tmp_path / "sms.csv").write_text(SMS_DECK)
    (tmp_path / "package.json").write_text(json.dumps({**PACKAGE, **RATES}))
    (tmp_path / "cdrs.csv").write_text(CDRS)
    (tmp_path / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    return tmp_path


def run_messages(d, *extra, messages="messages.csv"):
    args = ["rate", "--package", str(d / "package.json"), "--sms-deck", str(d / "sms.csv")]
    return main([*args, "--messages", str(d / messages), "--messages-out", str(d / "rated_messages.csv"), *extra])


def test_messages_are_priced_per_message_with_the_package_rates_or_its_markup(files, capsys):
    assert run_messages(files) == 0
    assert (files / "rated_messages.csv").read_text(encoding="utf-8") == EXPECTED_MESSAGES
    # Totals: 10 messages, 18 parts; cost 0.1285, price 0.1740.
    assert "re-priced 10 messages (18 parts): cost 0.1285, price 0.1740, profit 0.0455" in capsys.readouterr().err


def test_calls_and_messages_in_one_run_leave_the_calls_output_unchanged(files, capsys):
    cdr_args = ["--deck", str(files / "deck.csv"), "--cdrs", str(files / "cdrs.csv"), "--out", str(files / "r.csv")]
    assert run_messages(files, *cdr_args) == 0
    assert (files / "r.csv").read_text() == EXPECTED
    assert (files / "rated_messages.csv").read_text(encoding="utf-8") == EXPECTED_MESSAGES
    err = capsys.readouterr().err
    assert "rated 10 calls" in err and "re-priced 10 messages" in err


def test_the_shipped_sms_deck_is_the_default(files):
    args = ["rate", "--package", str(files / "package.json"), "--messages", str(files / "messages.csv")]
    assert main([*args, "--messages-out", str(files / "out.csv")]) == 0
    shipped = load_costs_csv(SHIPPED_SMS_DECK)
    first = (files / "out.csv").read_text(encoding="utf-8").splitlines()[1].split(",")
    assert D(first[5]) == shipped.rate(MessageKind.SMS, "out")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x1,fax,out,,hi\n", "kind: 'fax' is not 'sms' or 'mms'"),
        ("x1,sms,sideways,,hi\n", "direction: 'sideways' is not 'out' or 'in'"),
        ("x1,sms,out,11,\n", "parts: '11' is not a whole number from 1 to 10"),
        ("x1,sms,out,0,\n", "parts: '0' is not a whole number"),
        ("x1,sms,out,1.5,\n", "parts: '1.5' is not a whole number"),
        ("x1,mms,out,2,\n", "parts: an MMS is one message"),
        (",sms,out,1,\n", "message_id: empty"),
        ("x1,sms,out\n", "expected 5 fields, got 3"),
        ("m3,sms,out,1,\n", "message_id: 'm3' already on line 4"),
    ],
)
def test_a_bad_row_fails_with_its_line_and_writes_nothing(files, capsys, row, message):
    (files / "messages.csv").write_text(MESSAGES + row, encoding="utf-8")
    (files / "rated_messages.csv").write_text("previous\n")
    cdr_args = ["--deck", str(files / "deck.csv"), "--cdrs", str(files / "cdrs.csv"), "--out", str(files / "r.csv")]
    assert run_messages(files, *cdr_args) == 1
    err = capsys.readouterr().err
    assert f"messages.csv:12: {message}" in err, err
    assert (files / "rated_messages.csv").read_text() == "previous\n"
    assert not (files / "r.csv").exists()  # the calls are not rated either: every message is checked first
    assert [p.name for p in files.iterdir() if p.name.endswith(".tmp")] == []


def test_header_needs_the_id_kind_direction_and_parts_or_text(files, capsys):
    (files / "messages.csv").write_text("message_id,kind,direction\nm1,sms,out\n")
    assert run_messages(files) == 1
    assert "messages.csv:1: header lacks column(s) parts or text" in capsys.readouterr().err
    (files / "messages.csv").write_text("id,kind,direction,text\nm1,sms,out,hi\n")
    assert run_messages(files) == 1
    assert "header lacks column(s) message_id" in capsys.readouterr().err


def test_columns_in_any_order_extra_columns_ignored_and_text_alone(files):
    (files / "messages.csv").write_text("\ufefftext,client,direction,kind,message_id\nhello,Ann,out,sms,a\n\n")
    assert run_messages(files) == 0
    lines = (files / "rated_messages.csv").read_text().splitlines()
    assert lines[1:] == ["a,sms,out,1,1,0.007500,0.0075,0.012000,0.0120,0.0045,markup"]


def test_usage_errors(files, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rate", "--package", str(files / "package.json"), "--messages", str(files / "messages.csv")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["rate", "--package", str(files / "package.json")])
    with pytest.raises(SystemExit):
        main(["rate", "--package", str(files / "package.json"), "--cdrs", "c.csv", "--out", "o.csv"])
    assert "--cdrs needs --deck" in capsys.readouterr().err


def test_read_messages_lists_the_bad_lines():
    text = "message_id,kind,direction,text\na,sms,out,hi\nb,sms,up,hi\na,mms,in,\n"
    with pytest.raises(MessageFileError) as exc:
        read_messages(text, "up.csv")
    assert [str(p) for p in exc.value.problems] == [
        "up.csv:3: direction: 'up' is not 'out' or 'in'",
        "up.csv:4: message_id: 'a' already on line 2",
    ]
    assert [m.parts for m in read_messages("message_id,kind,direction,text\na,sms,in,\nb,mms,out,x\n")] == [1, 1]


def test_package_json_message_rates():
    rules = PackageRules.from_json({**PACKAGE, "sms_out_rate": "0.02", "mms_in_rate": None})
    assert (rules.sms_out_rate, rules.sms_in_rate, rules.mms_in_rate) == (D("0.02"), None, None)
    with pytest.raises(ValueError, match="sms_in_rate"):
        PackageRules.from_json({**PACKAGE, "sms_in_rate": "-1"})
    with pytest.raises(ValueError, match="mms_out_rate"):
        PackageRules.from_json({**PACKAGE, "mms_out_rate": "0.0000001"})
