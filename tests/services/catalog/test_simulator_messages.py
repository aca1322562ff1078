"""The profit simulator re-prices text messages: the real ones the package prices (as live billing picks a number's
package), or an uploaded MESSAGES.csv, under the saved package and the draft's per-message rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from reseller_app.carrier import CarrierMessage
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Package, SubAccount
from reseller_app.services.catalog import simulator
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.messaging.messages import ingest_messages

D = Decimal
GUIDE = {"name": "Std", "markup_fixed": "0.0025", "markup_percent": "20", "pulse": "6"}
# The draft: outgoing texts at a rate of their own, everything else at a 50 % markup.
DRAFT = {**GUIDE, "markup_percent": "50", "sms_out_rate": "0.02"}


@pytest.fixture()
def texts(world):
    """Numbers of several clients and packages with messages stored and billed by live billing."""
    ra = world["ra"]
    with session_scope() as s:
        other_pkg = Package(reseller_id=ra, name="Other", markup_fixed=D(0), markup_percent=D(100), pulse=60)
        s.add(other_pkg)
        e = Client(reseller_id=ra, email="e@example.com", password_hash="x", firstname="Ed")
        f = Client(reseller_id=ra, email="f@example.com", password_hash="x", firstname="Flo")
        s.add_all([e, f])
        s.flush()
        c_other = SubAccount(
            reseller_id=ra, client_id=world["c"], package_id=other_pkg.id, account="100001_b", sip_password="p"
        )
        e_sub = SubAccount(
            reseller_id=ra, client_id=e.id, package_id=other_pkg.id, account="100001_e", sip_password="p"
        )
        f_sub = SubAccount(
            reseller_id=ra, client_id=f.id, package_id=world["pkg"], account="100001_f", sip_password="p"
        )
        s.add_all([c_other, e_sub, f_sub])
        s.flush()
        for number, client, sub in (
            ("15145550001", world["c"], world["sub"]),  # the package's sub-account: in
            ("15145550002", world["c"], c_other.id),  # c's number on the other package's sub-account: out
            ("15145550003", e.id, None),  # no sub-account, its client's is on the other package: out
            ("15145550004", f.id, None),  # no sub-account, its client's is on this package: in
            ("15145550005", None, None),  # nobody's: stored unbilled, out
        ):
            s.add(Did(reseller_id=ra, number=number, client_id=client, sub_account_id=sub, sms_enabled=True))
    now = datetime.now(UTC)

    def msg(mid: str, direction: str, kind: str, did: str, body: str, days: int = 2) -> CarrierMessage:
        media = ("https://example.com/p.png",) if kind == "mms" else ()
        return CarrierMessage(mid, now - timedelta(days=days), direction, kind, did, "14165550143", body, media)

    ingest_messages(
        ra,
        [
            msg("a1", "out", "sms", "15145550001", "x" * 161),  # 2 parts
            msg("a2", "in", "sms", "15145550001", "hi"),
            msg("a3", "out", "mms", "15145550001", "look"),
            msg("a4", "out", "sms", "15145550004", "x"),
            msg("b1", "out", "sms", "15145550002", "x"),
            msg("b2", "out", "sms", "15145550003", "x"),
            msg("b3", "in", "sms", "15145550005", "x"),
            msg("old", "out", "sms", "15145550001", "x", days=40),
        ],
    )
    return world


def test_real_messages_are_re_priced_under_the_saved_package_and_the_draft(texts):
    res = simulator.simulate_all(texts["actor_a"], texts["pkg"], DRAFT, 30)
    # a1 (2 parts), a2, a3 and a4. Costs: sms out 0.0075/part, sms in 0, mms out 0.02 -> 0.0425.
    # Saved package (markup 0.0025 + 20 %): 2 x 0.012 + 0.003 + 0.027 + 0.012 = 0.066, what live billing charged.
    assert (res["messages"], res["msg_parts"]) == ("4", "5")
    assert (res["msg_current_revenue"], res["msg_current_cost"], res["msg_current_profit"]) == (
        "$0.0660",
        "$0.0425",
        "$0.0235",
    )
    assert res["msg_charged"] == "$0.0660"
    # Draft: sms out 0.02/part (its own rate) -> 0.06 + 0.02; sms in 0.0025 x 1.5 = 0.00375 -> 0.0038;
    # mms out 0.0225 x 1.5 = 0.03375 -> 0.0338. Revenue 0.0976, profit 0.0551, change +0.0316.
    assert (res["msg_draft_revenue"], res["msg_draft_profit"]) == ("$0.0976", "$0.0551")
    assert (res["msg_difference"], res["msg_difference_sign"]) == ("+$0.0316", "up")
    # Per kind and direction, with the rate each side sells at.
    assert (res["msg_sms_out_count"], res["msg_sms_out_current"], res["msg_sms_out_draft"]) == (
        "2",
        "$0.0360",
        "$0.0600",
    )
    assert (res["msg_sms_out_current_rate"], res["msg_sms_out_draft_rate"]) == ("$0.012000/part", "$0.020000/part")
    assert (res["msg_mms_out_count"], res["msg_mms_out_draft"]) == ("1", "$0.0338")
    assert (res["msg_mms_in_count"], res["msg_mms_in_current"]) == ("0", "$0.0000")
    # The calls are still there beside them (none here).
    assert res["calls"] == "0"
    # 60 days takes the 40-day-old text too.
    assert simulator.simulate_all(texts["actor_a"], texts["pkg"], DRAFT, 60)["messages"] == "5"


def test_the_saved_package_is_re_priced_not_copied_from_what_was_charged(texts):
    with session_scope() as s:
        s.get(Package, texts["pkg"]).sms_in_rate = D("0.01")
    res = simulator.simulate_all(texts["actor_a"], texts["pkg"], GUIDE | {"sms_in_rate": "0.01"}, 30)
    assert res["msg_current_revenue"] == "$0.0730"  # 0.066 - 0.003 + 0.01
    assert res["msg_charged"] == "$0.0660"
    assert res["msg_difference"] == "$0.0000" and res["msg_difference_sign"] == "same"


def test_no_messages_gives_zeros_for_the_empty_state(world):
    res = simulator.simulate_all(world["actor_a"], world["pkg"], DRAFT, 30)
    assert (res["messages"], res["msg_current_revenue"], res["msg_draft_revenue"]) == ("0", "$0.0000", "$0.0000")
    assert res["msg_difference_sign"] == "same"


def test_an_uploaded_messages_file_in_the_commands_format(world):
    text = (
        "message_id,kind,direction,parts,text\n"
        "m1,sms,out,,hello\n"
        f"m2,sms,out,,{'ж' * 71}\n"  # UCS-2: 2 parts
        "m3,sms,out,3,\n"
        "m4,mms,in,,\n"
    )
    res = simulator.simulate_all(world["actor_a"], world["pkg"], DRAFT, messages_upload=text.encode())
    assert "calls" not in res and res["source"] == "4 messages from the uploaded file"
    assert (res["messages"], res["msg_parts"]) == ("4", "7")
    # Saved: 6 parts x 0.012 + mms in (0.01 + 0.0025) x 1.2 = 0.015 -> 0.087; draft 6 x 0.02 + 0.01875 -> 0.0188.
    assert (res["msg_current_revenue"], res["msg_draft_revenue"]) == ("$0.0870", "$0.1388")
    assert "msg_charged" not in res


def test_a_bad_messages_file_is_refused_with_its_lines(world):
    text = "message_id,kind,direction,text\na,sms,out,hi\nb,fax,out,hi\na,sms,in,hi\n"
    with pytest.raises(ValidationFailed) as exc:
        simulator.simulate_all(world["actor_a"], world["pkg"], DRAFT, messages_upload=text.encode())
    assert exc.value.errors["file"].splitlines() == [
        "line 3: kind: 'fax' is not 'sms' or 'mms'",
        "line 4: message_id: 'a' already on line 2",
    ]
    with pytest.raises(ValidationFailed) as exc:
        simulator.simulate_all(
            world["actor_a"], world["pkg"], DRAFT, messages_upload=b"message_id,kind,direction,parts\n"
        )
    assert exc.value.errors["file"] == "The file has no messages."
    with pytest.raises(ValidationFailed) as exc:
        simulator.simulate_all(world["actor_a"], world["pkg"], {**DRAFT, "sms_in_rate": "-1"}, 30)
    assert "sms_in_rate" in exc.value.errors


def test_another_resellers_package_is_not_found(texts):
    with pytest.raises(NotFound):
        simulator.simulate_all(texts["actor_b"], texts["pkg"], DRAFT, 30)
