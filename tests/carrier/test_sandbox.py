"""The sandbox carrier: DID inventory, sub-accounts, CDR feed, and the factory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import phonenumbers
import pytest
from sqlmodel import Session, func, select

from reseller_app.carrier import CarrierCdr, CarrierError, get_carrier
from reseller_app.carrier.sandbox import SandboxCarrier
from reseller_app.models import Reseller, SandboxDid, SandboxSubAccount

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- inventory ---------------------------------------------------------------------------------------


def test_inventory_is_seeded_once_and_looks_real(engine, carrier, resellers):
    a, _ = resellers
    voice = carrier.available_dids(a)
    seeded = _count(engine, SandboxDid)
    assert 200 <= seeded <= 1000
    assert carrier.seed_inventory() == 0
    carrier.available_dids(a, "fax")
    SandboxCarrier().available_dids(a)  # a second instance (another worker) must not re-seed either
    assert _count(engine, SandboxDid) == seeded

    fax = carrier.available_dids(a, "fax")
    assert fax and all(o.kind == "fax" for o in fax)
    assert all(o.kind == "voice" for o in voice)
    assert len(voice) + len(fax) == seeded
    numbers = [o.number for o in voice + fax]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        parsed = phonenumbers.parse(f"+{number}")
        assert phonenumbers.is_valid_number(parsed), number
    regions = {phonenumbers.region_code_for_number(phonenumbers.parse(f"+{n}")) for n in numbers}
    assert regions == {"US", "CA"}
    centres = {(o.rate_center, o.region) for o in voice}
    assert {("Montreal", "QC"), ("Toronto", "ON"), ("Vancouver", "BC"), ("New York", "NY")} <= centres
    assert {n[1:4] for n in numbers if n.startswith("1514") or n.startswith("1438")} == {"514", "438"}


def test_reseeding_after_claims_keeps_owners(engine, carrier, resellers):
    a, _ = resellers
    number = carrier.available_dids(a)[0].number
    carrier.claim_did(a, number)
    assert carrier.seed_inventory() == 0
    with Session(engine) as s:
        assert s.exec(select(SandboxDid.owner_reseller_id).where(SandboxDid.number == number)).one() == a


def test_unknown_kind_refused(carrier, resellers):
    with pytest.raises(CarrierError) as err:
        carrier.available_dids(resellers[0], "sms")
    assert err.value.code == "invalid_type"


# --- claim / release ---------------------------------------------------------------------------------


def test_claimed_did_is_not_offered_to_anyone(carrier, resellers):
    a, b = resellers
    offer = carrier.available_dids(a)[0]
    claimed = carrier.claim_did(a, offer.number)
    assert claimed == offer
    assert offer.number not in {o.number for o in carrier.available_dids(a)}
    assert offer.number not in {o.number for o in carrier.available_dids(b)}
    assert carrier.owned_dids(a) == [offer]
    assert carrier.owned_dids(b) == []


def test_claim_is_idempotent_for_the_owner(carrier, resellers):
    a, _ = resellers
    number = carrier.available_dids(a)[0].number
    carrier.claim_did(a, number)
    assert carrier.claim_did(a, number).number == number


def test_claim_accepts_ten_digit_and_plus_forms(carrier, resellers):
    a, _ = resellers
    number = carrier.available_dids(a)[0].number
    assert carrier.claim_did(a, "+" + number).number == number
    other = carrier.available_dids(a)[0].number
    assert carrier.claim_did(a, other[1:]).number == other


def test_claim_of_a_did_owned_by_another_reseller_refused(carrier, resellers):
    a, b = resellers
    number = carrier.available_dids(a)[0].number
    carrier.claim_did(a, number)
    with pytest.raises(CarrierError) as err:
        carrier.claim_did(b, number)
    assert err.value.code == "did_unavailable"
    assert [o.number for o in carrier.owned_dids(a)] == [number]


def test_claim_unknown_number_refused(carrier, resellers):
    with pytest.raises(CarrierError) as err:
        carrier.claim_did(resellers[0], "15145550000")
    assert err.value.code == "invalid_did"


def test_release_returns_did_to_inventory(carrier, resellers):
    a, b = resellers
    number = carrier.available_dids(a)[0].number
    carrier.claim_did(a, number)
    carrier.release_did(a, number)
    assert number in {o.number for o in carrier.available_dids(b)}
    carrier.claim_did(b, number)
    assert [o.number for o in carrier.owned_dids(b)] == [number]


def test_release_by_non_owner_refused(carrier, resellers):
    a, b = resellers
    number = carrier.available_dids(a)[0].number
    carrier.claim_did(a, number)
    with pytest.raises(CarrierError) as err:
        carrier.release_did(b, number)
    assert err.value.code == "not_owner"
    assert [o.number for o in carrier.owned_dids(a)] == [number]


def test_release_of_unclaimed_or_unknown_did_refused(carrier, resellers):
    a, _ = resellers
    number = carrier.available_dids(a)[0].number
    with pytest.raises(CarrierError) as err:
        carrier.release_did(a, number)
    assert err.value.code == "not_owner"
    with pytest.raises(CarrierError) as err:
        carrier.release_did(a, "15145550000")
    assert err.value.code == "invalid_did"


# --- sub-accounts ------------------------------------------------------------------------------------


def test_create_subaccount_returns_reference_and_keeps_no_password(engine, carrier, resellers):
    a, _ = resellers
    ref = carrier.create_subaccount(a, "100000_office", "S3cret!pw", description="Front desk")
    assert ref.startswith("sandbox-")
    assert carrier.is_blocked("100000_office") is False
    with Session(engine) as s:
        row = s.exec(select(SandboxSubAccount)).one()
    assert row.account == "100000_office" and row.owner_reseller_id == a
    assert "S3cret!pw" not in repr(row.model_dump())


def test_duplicate_subaccount_refused(carrier, resellers):
    a, b = resellers
    carrier.create_subaccount(a, "100000_office", "pw1")
    for owner in (a, b):
        with pytest.raises(CarrierError) as err:
            carrier.create_subaccount(owner, "100000_office", "pw2")
        assert err.value.code == "duplicate"


@pytest.mark.parametrize("account", ["", "has space", "x" * 65, "_lead"])
def test_bad_subaccount_names_refused(carrier, resellers, account):
    with pytest.raises(CarrierError) as err:
        carrier.create_subaccount(resellers[0], account, "pw")
    assert err.value.code == "invalid_account"


def test_subaccount_needs_a_password(carrier, resellers):
    with pytest.raises(CarrierError) as err:
        carrier.create_subaccount(resellers[0], "100000_a", "")
    assert err.value.code == "invalid_password"


def test_delete_subaccount_only_by_its_owner_and_gone_is_fine(carrier, resellers):
    a, b = resellers
    carrier.create_subaccount(a, "100000_office", "pw1")
    with pytest.raises(CarrierError) as err:
        carrier.delete_subaccount(b, "100000_office")
    assert err.value.code == "not_owner"
    carrier.delete_subaccount(a, "100000_office")
    carrier.delete_subaccount(a, "100000_office")  # already gone: nothing to do
    assert carrier.create_subaccount(a, "100000_office", "pw2").startswith("sandbox-")  # the name is free again


def test_block_and_unblock(carrier, resellers):
    a, _ = resellers
    carrier.create_subaccount(a, "100000_office", "pw")
    carrier.create_subaccount(a, "100000_home", "pw")
    carrier.block_subaccount("100000_office")
    assert carrier.is_blocked("100000_office") is True
    assert carrier.is_blocked("100000_home") is False
    carrier.block_subaccount("100000_office")  # blocking twice is harmless
    assert carrier.is_blocked("100000_office") is True
    carrier.unblock_subaccount("100000_office")
    assert carrier.is_blocked("100000_office") is False


@pytest.mark.parametrize("method", ["block_subaccount", "unblock_subaccount", "is_blocked"])
def test_unknown_subaccount_refused(carrier, resellers, method):
    with pytest.raises(CarrierError) as err:
        getattr(carrier, method)("nobody_here")
    assert err.value.code == "invalid_account"


# --- CDRs --------------------------------------------------------------------------------------------


def _cdr(uniqueid: str, start: datetime, **kw) -> CarrierCdr:
    values = dict(
        direction="out",
        account="100000_office",
        callerid='"Office" <5145550100>',
        destination="15145550199",
        duration=65,
        disposition="ANSWERED",
        carrier_cost=Decimal("0.0110"),
    )
    values.update(kw)
    return CarrierCdr(uniqueid=uniqueid, start=start, **values)


def test_cdrs_since_filters_by_reseller_and_start_and_sorts(carrier):
    carrier.record_call(1, _cdr("c3", T0 + timedelta(minutes=2)))
    carrier.record_call(1, _cdr("b2", T0 + timedelta(minutes=1)))
    carrier.record_call(1, _cdr("a2", T0 + timedelta(minutes=1)))
    carrier.record_call(1, _cdr("old", T0))  # exactly at `since`: not after it
    carrier.record_call(2, _cdr("other", T0 + timedelta(minutes=5)))
    got = carrier.cdrs_since(1, T0)
    assert [c.uniqueid for c in got] == ["a2", "b2", "c3"]
    assert [c.uniqueid for c in carrier.cdrs_since(2, T0)] == ["other"]
    assert carrier.cdrs_since(3, T0) == []
    assert [c.uniqueid for c in carrier.cdrs_since(1, T0 - timedelta(seconds=1))] == ["old", "a2", "b2", "c3"]


def test_cdrs_since_compares_across_timezones(carrier):
    eastern = timezone(timedelta(hours=-4))
    carrier.record_call(1, _cdr("x", T0 + timedelta(seconds=1)))
    assert [c.uniqueid for c in carrier.cdrs_since(1, T0.astimezone(eastern))] == ["x"]
    with pytest.raises(ValueError):
        carrier.cdrs_since(1, T0.replace(tzinfo=None))


def test_repeated_uniqueid_replaces_the_record(carrier):
    carrier.record_call(1, _cdr("u1", T0 + timedelta(seconds=5), duration=10))
    carrier.record_call(1, _cdr("u1", T0 + timedelta(seconds=5), duration=12))
    assert [c.duration for c in carrier.cdrs_since(1, T0)] == [12]


@pytest.mark.parametrize(
    "kw",
    [
        {"direction": "sideways"},
        {"disposition": "CONGESTION?"},
        {"duration": -1},
        {"start": datetime(2024, 5, 1, 12, 0)},
    ],
)
def test_malformed_cdr_refused(kw):
    start = kw.pop("start", T0)
    with pytest.raises(ValueError):
        _cdr("bad", start, **kw)


def test_cdr_cost_must_be_decimal():
    with pytest.raises(TypeError):
        _cdr("bad", T0, carrier_cost=0.011)


# --- factory -----------------------------------------------------------------------------------------


def test_factory_gives_the_shared_sandbox_by_default(engine):
    first = get_carrier(Reseller(email="a@example.com", password_hash="x"))
    assert isinstance(first, SandboxCarrier)
    assert get_carrier(Reseller(email="b@example.com", password_hash="x", carrier_kind="sandbox")) is first


# voipms has an adapter now (tests/carrier/test_voipms.py).
@pytest.mark.parametrize("kind", ["acme", "Other"])
def test_factory_refuses_kinds_without_an_adapter(kind):
    with pytest.raises(CarrierError) as err:
        get_carrier(Reseller(email="a@example.com", password_hash="x", carrier_kind=kind))
    assert err.value.code == "unsupported_carrier"
