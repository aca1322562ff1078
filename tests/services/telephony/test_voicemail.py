"""Voicemail boxes managed by the reseller (the REST API's voicemail methods), and the scoping of the read
services the API added (numbers, sub-accounts, call records): another reseller's ids are NotFound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.reporting import call_records
from reseller_app.services.telephony import dids, subaccounts, voicemail


def test_save_list_and_delete_a_box(world):
    a = world["actor_a"]
    vid = voicemail.save_mailbox(a, world["c"], {"mailbox": "101", "name": "Main", "pin": "1234"})
    voicemail.save_mailbox(a, world["c"], {"mailbox": "101", "name": "Front", "pin": "4321", "email": "f@ex.com",
                                           "attach_audio": False}, vid)  # fmt: skip
    rows = voicemail.list_mailboxes(a, client_id=world["c"])
    assert [(r["mailbox"], r["name"], r["pin"], r["email"], r["attach_audio"]) for r in rows] == [
        ("101", "Front", "4321", "f@ex.com", False)
    ]
    with pytest.raises(ValidationFailed) as e:
        voicemail.save_mailbox(a, world["c"], {"mailbox": "101", "name": "Again", "pin": "1234"})
    assert set(e.value.errors) == {"mailbox"}
    with pytest.raises(ValidationFailed) as e:
        voicemail.save_mailbox(a, world["c"], {"mailbox": "1x", "name": "", "pin": "12", "email": "bad"})
    assert set(e.value.errors) == {"mailbox", "name", "pin", "email"}
    voicemail.delete_mailbox(a, vid)
    assert voicemail.list_mailboxes(a) == []


def test_another_resellers_ids_are_not_found(world):
    a, b = world["actor_a"], world["actor_b"]
    vid = voicemail.save_mailbox(a, world["c"], {"mailbox": "101", "name": "Main", "pin": "1234"})
    for attempt in (
        lambda: voicemail.save_mailbox(b, world["c"], {"mailbox": "102", "name": "X", "pin": "1234"}),
        lambda: voicemail.save_mailbox(b, world["other"], {"mailbox": "102", "name": "X", "pin": "1234"}, vid),
        lambda: voicemail.delete_mailbox(b, vid),
        lambda: voicemail.list_mailboxes(b, client_id=world["c"]),
        lambda: dids.list_dids(b, client_id=world["c"]),
        lambda: dids.list_dids(b, account="100001_front"),
        lambda: subaccounts.list_subaccounts(b, client_id=world["c"]),
        lambda: call_records.filter_values(b, world["c"]),
        lambda: call_records.client_calls(b, call_records.CallQuery(
            world["c"], datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC), ("ANSWERED",))),
    ):  # fmt: skip
        with pytest.raises(NotFound):
            attempt()
    assert subaccounts.list_subaccounts(b) == [] and dids.list_dids(b) == []
    assert [r["account"] for r in subaccounts.list_subaccounts(a, client_id=world["c"])] == ["100001_front"]
