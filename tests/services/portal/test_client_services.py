"""The client's Services page: buying numbers, e911, voicemail, forwarding, fax, sub-account edits; ownership."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import (
    Client,
    Did,
    E911Record,
    FaxRecord,
    Forwarding,
    LedgerEntry,
    Package,
    ResellerSettings,
    SandboxDid,
    SubAccount,
    Voicemail,
)
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.billing_run import bill_client
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.portal import self_service as cs

D = Decimal
E911 = {"full_name": "Cy Cole", "address": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701"}


@pytest.fixture()
def w(world):
    """Reseller A sells numbers (setup 2.50, monthly 1.25) and e911 (1.00 / 0.75); its package allows buying."""
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.did_setup, st.did_monthly = D("2.50"), D("1.25")
        st.e911_setup, st.e911_monthly = D("1.00"), D("0.75")
        pkg = s.get(Package, world["pkg"])
        pkg.allow_did_purchase = True
        pkg.subaccount_editable = ["callerid", "codecs", "password"]
        c = s.get(Client, world["c"])
        c.balance_management = "HARD"
        c.next_billing_date = date(2026, 12, 1)
        # Reseller B's client has its own sub-account, number, voicemail and forwarding.
        osub = SubAccount(reseller_id=world["rb"], client_id=world["other"], account="200001_x", sip_password="pw")
        s.add(osub)
        s.flush()
        odid = Did(reseller_id=world["rb"], number="15550000001", client_id=world["other"])
        ovm = Voicemail(reseller_id=world["rb"], client_id=world["other"], mailbox="1", name="x", pin="1234")
        ofw = Forwarding(reseller_id=world["rb"], client_id=world["other"], phone_number="15145550000")
        s.add_all([odid, ovm, ofw])
        s.flush()
        world.update(osub=osub.id, odid=odid.id, ovm=ovm.id, ofw=ofw.id)
    from reseller_app.services.accounting.postings import manual_posting

    manual_posting(world["actor_a"], world["c"], "payment", "10.00", "Deposit")
    world["me"] = Actor("client", world["ra"], world["c"])
    world["them"] = Actor("client", world["rb"], world["other"])
    return world


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def _first_number(actor: Actor) -> str:
    return cs.available_numbers(actor)[0]["number"]


def test_buying_a_number_charges_the_setup_fee_once_and_bills_the_monthly_fee(w):
    me = w["me"]
    number = _first_number(me)
    out = cs.buy_did(me, number, w["sub"])
    assert out["setup"] == "$2.50"
    assert _balance(w["c"]) == D("7.50")
    with session_scope() as s:
        did = s.exec(select(Did).where(Did.number == number)).one()
        assert (did.client_id, did.sub_account_id, did.monthly_fee) == (w["c"], w["sub"], D("1.25"))
        assert s.exec(select(SandboxDid).where(SandboxDid.number == number)).one().owner_reseller_id == w["ra"]
        fees = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "fee")).all()
        assert [(f.amount, f.description) for f in fees] == [(D("-2.50"), f"Phone number {number} setup fee")]
    assert number not in {n["number"] for n in cs.available_numbers(me)}
    # The same number cannot be bought twice.
    with pytest.raises(ValidationFailed):
        cs.buy_did(me, number)
    # The monthly fee is billed by the billing run on the billing date.
    with session_scope() as s:
        s.get(Client, w["c"]).next_billing_date = datetime.now(UTC).date()
    count, total = bill_client(w["c"], datetime.now(UTC).date())
    assert total == D("1.25") and count == 1
    assert _balance(w["c"]) == D("6.25")
    listed = cs.overview(me)["dids"]
    assert [d["number"] for d in listed] == [number] and listed[0]["monthly"] == "$1.25"


def test_buying_is_refused_without_the_package_option_or_when_suspended(w):
    me = w["me"]
    number = _first_number(me)
    with session_scope() as s:
        s.get(Package, w["pkg"]).allow_did_purchase = False
    with pytest.raises(Forbidden):
        cs.buy_did(me, number)
    with pytest.raises(Forbidden):
        cs.available_numbers(me)
    with session_scope() as s:
        s.get(Package, w["pkg"]).allow_did_purchase = True
        s.get(Client, w["c"]).status = "SUSPENDED"
    with pytest.raises(Forbidden) as e:
        cs.buy_did(me, number)
    assert "suspended" in str(e.value)
    assert _balance(w["c"]) == D("10.00")
    with session_scope() as s:
        assert s.exec(select(Did).where(Did.client_id == w["c"])).all() == []
        assert s.exec(select(SandboxDid).where(SandboxDid.number == number)).one().owner_reseller_id is None


def test_buying_checks_ids_and_input(w):
    me = w["me"]
    number = _first_number(me)
    with pytest.raises(NotFound):
        cs.buy_did(me, number, w["osub"])  # another reseller's client's sub-account
    with pytest.raises(NotFound):
        cs.buy_did(me, number, "999999")
    for bad in ("", "abc", "1234", "99999999999"):  # the last is not in the carrier's inventory
        with pytest.raises(ValidationFailed):
            cs.buy_did(me, bad)
    with pytest.raises(Forbidden):
        cs.buy_did(w["actor_a"], number)  # a reseller session is not a client
    assert _balance(w["c"]) == D("10.00")


def test_e911_record_charges_the_resellers_setup_fee_and_is_billed_monthly(w):
    me = w["me"]
    number = _first_number(me)
    did_id = cs.buy_did(me, number)["id"]
    rec = cs.add_e911(me, did_id, E911)
    assert _balance(w["c"]) == D("6.50")  # 10 - 2.50 - 1.00
    with session_scope() as s:
        r = s.get(E911Record, int(rec))
        assert (r.monthly_fee, r.setup_fee, r.active) == (D("0.75"), D("1.00"), True)
    listed = cs.overview(me)
    assert listed["e911"][0]["number"] == number and listed["dids"][0]["e911"] == "Yes"
    with pytest.raises(ValidationFailed):
        cs.add_e911(me, did_id, E911)  # one per number
    cs.remove_e911(me, rec)
    assert cs.overview(me)["e911"] == []


def test_e911_refuses_foreign_numbers_and_bad_addresses(w):
    me = w["me"]
    with pytest.raises(NotFound):
        cs.add_e911(me, w["odid"], E911)
    with pytest.raises(NotFound):
        cs.add_e911(me, "abc", E911)
    did_id = cs.buy_did(me, _first_number(me))["id"]
    with pytest.raises(ValidationFailed) as e:
        cs.add_e911(me, did_id, {**E911, "city": " ", "country": "FR"})
    assert set(e.value.errors) == {"city", "country"}
    with pytest.raises(NotFound):
        cs.add_e911(w["them"], did_id, E911)  # another reseller's client cannot touch my number
    with pytest.raises(NotFound):
        cs.remove_e911(w["them"], "1")


def test_voicemail_and_forwarding_are_the_clients_own(w):
    me, them = w["me"], w["them"]
    vm = cs.add_voicemail(me, {"mailbox": "101", "name": "Front desk", "pin": "4321", "email": "vm@example.com"})
    fw = cs.add_forwarding(me, {"phone_number": "+1 (514) 555-0199", "description": "Cell"})
    data = cs.overview(me)
    assert [v["mailbox"] for v in data["voicemails"]] == ["101"]
    assert [f["phone_number"] for f in data["forwardings"]] == ["15145550199"]
    with pytest.raises(ValidationFailed) as e:
        cs.add_voicemail(me, {"mailbox": "101", "name": "", "pin": "12", "email": "nope"})
    assert set(e.value.errors) == {"name", "pin", "email"}
    with pytest.raises(ValidationFailed):
        cs.add_forwarding(me, {"phone_number": "12"})
    for fn, obj in ((cs.delete_voicemail, vm), (cs.delete_forwarding, fw)):
        with pytest.raises(NotFound):
            fn(them, obj)
    for fn, obj in ((cs.delete_voicemail, w["ovm"]), (cs.delete_forwarding, w["ofw"])):
        with pytest.raises(NotFound):
            fn(me, obj)
    cs.delete_voicemail(me, vm)
    cs.delete_forwarding(me, fw)
    data = cs.overview(me)
    assert data["voicemails"] == [] and data["forwardings"] == []
    with session_scope() as s:
        assert s.get(Voicemail, w["ovm"]) is not None and s.get(Forwarding, w["ofw"]) is not None


def test_fax_numbers_and_history(w):
    me = w["me"]
    with session_scope() as s:
        fax = Did(reseller_id=w["ra"], number="15145557777", kind="fax", client_id=w["c"], monthly_fee=D("3"))
        s.add(fax)
        s.flush()
        for i in range(25):
            s.add(
                FaxRecord(
                    reseller_id=w["ra"],
                    client_id=w["c"],
                    did_id=fax.id,
                    uniqueid=f"f{i}",
                    start=datetime(2026, 11, 1, 12, i, tzinfo=UTC),
                    direction="in",
                    remote_number="15145550000",
                    pages=i,
                    price=D("0.05"),
                )
            )
        s.add(
            FaxRecord(
                reseller_id=w["rb"],
                client_id=w["other"],
                uniqueid="x",
                start=datetime(2026, 11, 2, tzinfo=UTC),
                direction="out",
                remote_number="1",
            )
        )
    assert [f["number"] for f in cs.overview(me)["faxes"]] == ["15145557777"]
    first = cs.fax_history(me, 1)
    assert first["pages"] == 2 and len(first["items"]) == 20 and first["items"][0]["pages"] == "24"
    assert len(cs.fax_history(me, 2)["items"]) == 5
    assert cs.fax_history(w["them"])["items"][0]["remote"] == "1"  # the other client sees only its own


def test_subaccount_edit_obeys_the_package_and_the_sip_password_setting(w):
    me = w["me"]
    cs.update_subaccount(me, w["sub"], {"callerid": "15145550123", "codecs": "ulaw, G729"})
    with session_scope() as s:
        sub = s.get(SubAccount, w["sub"])
        assert (sub.callerid, sub.codecs) == ("15145550123", "ulaw,g729")
    with pytest.raises(Forbidden):
        cs.update_subaccount(me, w["sub"], {"nat": "no"})  # not in the package's editable list
    with pytest.raises(ValidationFailed):
        cs.update_subaccount(me, w["sub"], {"codecs": "mp3"})
    with pytest.raises(NotFound):
        cs.update_subaccount(me, w["osub"], {"callerid": "15145550123"})
    with pytest.raises(NotFound):
        cs.update_subaccount(w["them"], w["sub"], {"callerid": "15145550123"})
    [row] = cs.overview(me)["subaccounts"]
    assert row["password"] == "pw" and "password" in row["editable"].split(",")
    with session_scope() as s:
        s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == w["ra"])).one().show_sip_password = False
    [row] = cs.overview(me)["subaccounts"]
    assert row["password"] == "" and "password" not in row["editable"].split(",")
    with pytest.raises(Forbidden):
        cs.update_subaccount(me, w["sub"], {"password": "new-password-9"})


def test_services_follow_the_package_or_reseller_configuration(w):
    me = w["me"]
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == w["ra"])).one()
        st.services = ["subaccounts", "cdr", "balance"]
    with pytest.raises(Forbidden):
        cs.add_voicemail(me, {"mailbox": "1", "name": "x", "pin": "1234"})
    with pytest.raises(Forbidden):
        cs.available_numbers(me)
    assert cs.overview(me)["dids"] == []
    # The package's own configuration wins over the reseller's.
    with session_scope() as s:
        pkg = s.get(Package, w["pkg"])
        pkg.service_config = "package"
        pkg.services = ["voicemail"]
        pkg.view_setting = "standard"
    assert cs.add_voicemail(me, {"mailbox": "1", "name": "x", "pin": "1234"})
    with session_scope() as s:
        s.get(Package, w["pkg"]).view_setting = "simple_hide"
    with pytest.raises(Forbidden):
        cs.overview(me)
    with pytest.raises(Forbidden):
        cs.add_forwarding(me, {"phone_number": "15145550199"})


def test_the_simple_view_hides_the_technical_settings_of_sub_accounts(w):
    me = w["me"]
    with session_scope() as s:
        s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == w["ra"])).one().view_setting = "simple"
    [row] = cs.overview(me)["subaccounts"]
    assert set(row["editable"].split(",")) == {
        "callerid",
        "password",
    }
    assert row["codecs"] == "" and row["dtmf"] == ""  # not even sent to the browser
    with pytest.raises(Forbidden):
        cs.update_subaccount(me, w["sub"], {"codecs": "ulaw"})
    cs.update_subaccount(me, w["sub"], {"callerid": "+1 514 555 0123"})
    with session_scope() as s:
        assert s.get(SubAccount, w["sub"]).callerid == "15145550123"


def test_forwarding_and_caller_ids_take_any_valid_phone_number_and_refuse_others(w):
    me = w["me"]
    for bad in ("12", "call me<script>"):
        with pytest.raises(ValidationFailed) as e:
            cs.add_forwarding(me, {"phone_number": bad})
        assert e.value.errors == {"phone_number": "Enter a valid phone number, e.g. +1 514 555 0142."}
        with pytest.raises(ValidationFailed) as e:
            cs.update_subaccount(me, w["sub"], {"callerid": bad})
        assert e.value.errors == {"callerid": "Enter a valid phone number, e.g. +1 514 555 0142."}
    cs.add_forwarding(me, {"phone_number": "+44 20 7123 4567", "description": "London"})
    assert "442071234567" in [f["phone_number"] for f in cs.overview(me)["forwardings"]]
