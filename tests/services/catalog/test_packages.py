"""Manage rates & packages: wizard validation, CRUD, area rates, free zones, rate lookup, simulator and tenancy."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import AreaRate, AuditLog, FreeZone, Package, SubAccount, utcnow
from reseller_app.services.access.actor import Actor
from reseller_app.services.catalog import area_rates, free_zones, rate_lookup, simulator, wizard
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.telephony.calls import ingest_cdrs

D = Decimal
GUIDE = {"name": "Guide", "markup_fixed": "0.0025", "markup_percent": "20", "pulse": "6"}


def _errors(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return exc.value.errors


def _count(model) -> int:
    with session_scope() as s:
        return len(s.exec(select(model)).all())


# --- the wizard ------------------------------------------------------------------------------


def test_example_line_for_the_guides_package(world):
    line = wizard.example_line(world["actor_a"], GUIDE, cost="0.009")
    assert line["text"] == "Your cost 0.0090 → client pays 0.0138/min"


def test_example_line_for_a_sample_destination_uses_the_deck_and_route(world):
    # London on the value route costs 0.01458 in the shipped deck: (0.01458 + 0.0025) * 1.2 = 0.020496.
    line = wizard.example_line(world["actor_a"], GUIDE, destination="+44 20 7123 4567")
    assert line["text"] == "Your cost 0.01458 → client pays 0.020496/min"
    assert "London" in line["label"]
    premium_form = {**GUIDE, "international_route": "premium"}
    premium = wizard.example_line(world["actor_a"], premium_form, destination="442071234567")
    assert premium["text"].startswith("Your cost 0.016022")


def test_example_line_asks_for_a_valid_markup(world):
    assert wizard.example_line(world["actor_a"], {**GUIDE, "markup_percent": "abc"}, cost="0.009")["error"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "   "),
        ("markup_fixed", "-0.01"),
        ("markup_fixed", "abc"),
        ("markup_percent", "1000.01"),
        ("pulse", "0"),
        ("pulse", "3601"),
        ("pulse", "6.5"),
        ("monthly_fee", "-1"),
        ("setup_fee", "ten"),
        ("free_minutes", "-5"),
        ("canada_route", "gold"),
        ("view_setting", "fancy"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_nothing_is_saved(world, field, value):
    form = {**GUIDE, field: value}
    assert field in wizard.validate_package(world["actor_a"], form)
    before = _count(Package)
    with pytest.raises(ValidationFailed) as exc:
        wizard.save_package(world["actor_a"], form)
    assert field in _errors(exc)
    assert _count(Package) == before


def test_any_pulse_from_1_to_3600_is_accepted(world):
    pid = wizard.save_package(world["actor_a"], {**GUIDE, "pulse": "3600"})
    assert wizard.get_package(world["actor_a"], pid)["pulse"] == "3600"


def test_create_edit_and_list_a_package(world):
    a = world["actor_a"]
    form = {
        **GUIDE,
        "monthly_fee": "9.95",
        "setup_fee": "25",
        "free_minutes": "100",
        "subaccount_editable": ["password", "codecs"],
        "service_config": "package",
        "view_setting": "simple",
        "services": ["cdr", "balance"],
        "onnet_free": True,
    }
    pid = wizard.save_package(a, form)
    with session_scope() as s:
        p = s.get(Package, pid)
        assert (p.markup_fixed, p.markup_percent, p.pulse, p.monthly_fee) == (D("0.0025"), D("20"), 6, D("9.95"))
        assert p.subaccount_editable == ["password", "codecs"] and p.services == ["cdr", "balance"]
        assert p.service_config == "package" and p.onnet_free
    wizard.save_package(a, {**form, "pulse": "30"}, pid)
    row = next(r for r in wizard.list_packages(a) if r["id"] == str(pid))
    assert (row["pulse"], row["in_use"], row["monthly_fee"]) == ("30 s", "0", "$9.95")
    std = next(r for r in wizard.list_packages(a) if r["name"] == "Std")
    assert std["in_use"] == "1"
    with session_scope() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "package.update")).first() is not None


def test_duplicate_name_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        wizard.save_package(world["actor_a"], {**GUIDE, "name": "Std"})
    assert "name" in _errors(exc)
    assert "name" in wizard.validate_package(world["actor_a"], {**GUIDE, "name": "Std"})
    # The same name is fine for another reseller, and for the package itself.
    wizard.save_package(world["actor_b"], {**GUIDE, "name": "Std"})
    assert wizard.validate_package(world["actor_a"], {**GUIDE, "name": "Std"}, world["pkg"]) == {}


def test_duplicate_copies_rates_and_zones(world):
    a = world["actor_a"]
    area_rates.add_area_rate(a, world["pkg"], "country", "GB", "0.05")
    free_zones.add_free_zone(a, world["pkg"], "prefix", "1514")
    copy = wizard.duplicate_package(a, world["pkg"])
    again = wizard.duplicate_package(a, world["pkg"])
    names = {r["name"] for r in wizard.list_packages(a)}
    assert {"Std (copy)", "Std (copy 2)"} <= names and copy != again
    assert area_rates.list_area_rates(a, copy)["total"] == "1"
    assert len(free_zones.list_free_zones(a, copy)) == 1


def test_a_package_in_use_cannot_be_deleted(world):
    with pytest.raises(ValidationFailed) as exc:
        wizard.delete_package(world["actor_a"], world["pkg"])
    assert "1 sub-account uses" in _errors(exc)["package"]
    with session_scope() as s:
        s.get(SubAccount, world["sub"]).package_id = None
    area_rates.add_area_rate(world["actor_a"], world["pkg"], "prefix", "44", "0.02")
    wizard.delete_package(world["actor_a"], world["pkg"])
    assert _count(Package) == 0 and _count(AreaRate) == 0


# --- tenancy ---------------------------------------------------------------------------------


def test_another_reseller_can_never_touch_a_package(world):
    b, pid = world["actor_b"], world["pkg"]
    calls = [
        lambda: wizard.get_package(b, pid),
        lambda: wizard.save_package(b, GUIDE, pid),
        lambda: wizard.duplicate_package(b, pid),
        lambda: wizard.delete_package(b, pid),
        lambda: area_rates.list_area_rates(b, pid),
        lambda: area_rates.add_area_rate(b, pid, "prefix", "44", "0.01"),
        lambda: area_rates.import_area_rates(b, pid, "prefix,country,rate\n44,,0.01\n"),
        lambda: area_rates.export_area_rates(b, pid),
        lambda: free_zones.list_free_zones(b, pid),
        lambda: free_zones.add_free_zone(b, pid, "country", "GB"),
        lambda: rate_lookup.look_up(b, pid, "442071234567"),
        lambda: simulator.simulate_all(b, pid, GUIDE),
        lambda: wizard.validate_package(b, GUIDE, pid),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    with session_scope() as s:
        p = s.get(Package, pid)
        assert (p.name, p.pulse, p.reseller_id) == ("Std", 6, world["ra"])
    assert _count(Package) == 1 and _count(AreaRate) == 0 and _count(FreeZone) == 0


def test_another_resellers_area_rates_and_zones_cannot_be_deleted(world):
    rate = area_rates.add_area_rate(world["actor_a"], world["pkg"], "prefix", "44", "0.02")
    zone = free_zones.add_free_zone(world["actor_a"], world["pkg"], "prefix", "33")
    for call in (
        lambda: area_rates.delete_area_rate(world["actor_b"], rate),
        lambda: free_zones.delete_free_zone(world["actor_b"], zone),
        lambda: area_rates.delete_area_rate(world["actor_b"], "99999"),
        lambda: free_zones.delete_free_zone(world["actor_a"], "not-an-id"),
    ):
        with pytest.raises(NotFound):
            call()
    assert _count(AreaRate) == 1 and _count(FreeZone) == 1
    area_rates.delete_area_rate(world["actor_a"], rate)
    free_zones.delete_free_zone(world["actor_a"], str(zone))
    assert _count(AreaRate) == 0 and _count(FreeZone) == 0


def test_clients_and_anonymous_callers_are_refused(world):
    client = Actor("client", world["ra"], client_id=world["c"])
    for actor in (client, None):
        with pytest.raises(Forbidden):
            wizard.list_packages(actor)
        with pytest.raises(Forbidden):
            wizard.save_package(actor, GUIDE)
        with pytest.raises(Forbidden):
            wizard.get_package(actor, world["pkg"])


# --- area rates, free zones, lookup ----------------------------------------------------------


def test_area_rate_overrides_the_markup_in_the_lookup(world):
    a, pid = world["actor_a"], world["pkg"]
    before = rate_lookup.look_up(a, pid, "+44 20 7123 4567")
    assert before["rule"] == "Markup" and before["route"] == "Value" and before["cost"] == "0.01458"
    area_rates.add_area_rate(a, pid, "prefix", "4420", "0.0300")
    after = rate_lookup.look_up(a, pid, "442071234567")
    assert (after["rule"], after["price"], after["cost"]) == ("Per-area rate", "0.0300", "0.01458")
    area_rates.add_area_rate(a, pid, "country", "France", "0.04")
    assert rate_lookup.look_up(a, pid, "33142685300")["price"] == "0.0400"


def test_area_rate_bad_input(world):
    a, pid = world["actor_a"], world["pkg"]
    area_rates.add_area_rate(a, pid, "prefix", "44", "0.02")
    for kind, target, rate, field in (
        ("prefix", "44", "0.03", "target"),  # duplicate
        ("prefix", "4a", "0.03", "target"),
        ("country", "Atlantis", "0.03", "target"),
        ("country", "GB", "-1", "rate"),
        ("country", "GB", "x", "rate"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            area_rates.add_area_rate(a, pid, kind, target, rate)
        assert field in _errors(exc)
    assert _count(AreaRate) == 1


def test_csv_import_of_a_thousand_rows_and_export_round_trip(world):
    a, pid = world["actor_a"], world["pkg"]
    lines = ["prefix,country,rate"] + [f"9{n:04d},,0.{n + 1:04d}" for n in range(999)] + [",CA,0.011"]
    assert area_rates.import_area_rates(a, pid, ("\n".join(lines) + "\n").encode()) == 1000
    page = area_rates.list_area_rates(a, pid, page=2)
    assert page["total"] == "1000" and page["pages"] == 50 and len(page["items"]) == 20
    found = area_rates.list_area_rates(a, pid, search="90012")
    assert [r["target"] for r in found["items"]] == ["90012"]
    assert area_rates.list_area_rates(a, pid, search="canada")["items"][0]["target"] == "CA"
    exported = area_rates.export_area_rates(a, pid)
    assert exported.count("\n") == 1001 and ",CA,0.011\n" in exported
    # Re-importing the export changes nothing and adds nothing (existing targets are updated).
    assert area_rates.import_area_rates(a, pid, exported) == 1000
    assert area_rates.list_area_rates(a, pid)["total"] == "1000"


def test_csv_import_is_all_or_nothing_with_errors_by_line(world):
    a, pid = world["actor_a"], world["pkg"]
    text = "prefix,country,rate\n44,,0.02\n33,,abc\n,Atlantis,0.1\n44,,0.03\n1,US,0.01\n"
    with pytest.raises(ValidationFailed) as exc:
        area_rates.import_area_rates(a, pid, text)
    msg = _errors(exc)["csv"]
    assert "line 3:" in msg and "line 4:" in msg and "line 5: duplicate of line 2" in msg and "line 6:" in msg
    assert "line 2:" not in msg
    assert _count(AreaRate) == 0
    with pytest.raises(ValidationFailed):
        area_rates.import_area_rates(a, pid, "rate\n0.1\n")


def test_free_zones_price_matching_numbers_at_zero(world):
    a, pid = world["actor_a"], world["pkg"]
    assert rate_lookup.look_up(a, pid, "33142685300")["price"] != "0.0000"
    free_zones.add_free_zone(a, pid, "country", "FR")
    fr = rate_lookup.look_up(a, pid, "33142685300")
    assert (fr["price"], fr["rule"]) == ("0.0000", "Free zone")
    free_zones.add_free_zone(a, pid, "prefix", "4420")
    assert rate_lookup.look_up(a, pid, "442071234567")["price"] == "0.0000"
    assert rate_lookup.look_up(a, pid, "441212345678")["rule"] == "Markup"
    free_zones.add_free_zone(a, pid, "max_rate", "0.007")
    assert rate_lookup.look_up(a, pid, "12125550100")["rule"] == "Free zone"  # US premium 0.00635
    kinds = [z["kind"] for z in free_zones.list_free_zones(a, pid)]
    assert kinds == ["Country", "Prefix", "Cost up to"]


def test_free_zone_bad_input(world):
    a, pid = world["actor_a"], world["pkg"]
    free_zones.add_free_zone(a, pid, "country", "GB")
    for kind, value in (("country", "XX"), ("country", "GB"), ("prefix", "+4x"), ("max_rate", "-0.1"), ("bogus", "1")):
        with pytest.raises(ValidationFailed):
            free_zones.add_free_zone(a, pid, kind, value)
    assert _count(FreeZone) == 1


def test_rate_lookup_needs_digits(world):
    with pytest.raises(ValidationFailed) as exc:
        rate_lookup.look_up(world["actor_a"], world["pkg"], "call me")
    assert "number" in _errors(exc)


# --- profit simulator ------------------------------------------------------------------------


def _calls(world, n: int = 3) -> None:
    now = utcnow()
    ingest_cdrs(
        world["ra"],
        [
            CarrierCdr(
                uniqueid=f"s{i}",
                start=now - timedelta(days=2, minutes=i),
                direction="out",
                account="100001_front",
                callerid="15145550000",
                destination="442071234567",
                duration=60,
                disposition="ANSWERED",
            )
            for i in range(n)
        ]
        + [
            CarrierCdr(
                uniqueid="old",
                start=now - timedelta(days=40),
                direction="out",
                account="100001_front",
                callerid="15145550000",
                destination="442071234567",
                duration=60,
                disposition="ANSWERED",
            )
        ],
    )


def test_simulator_rerates_real_cdrs_under_the_draft(world):
    _calls(world)
    a, pid = world["actor_a"], world["pkg"]
    steps = list(simulator.simulate(a, pid, {**GUIDE, "name": "Std", "markup_percent": "50"}, 30))
    assert steps[0][:2] == (0, 3) and steps[-1][0] == 3
    res = steps[-1][2]
    # Per call: cost 0.01458 -> 0.0146; current (0.01458 + 0.0025) * 1.2 = 0.020496 -> 0.0205; draft * 1.5 -> 0.0256.
    assert res["calls"] == "3"
    assert (res["current_revenue"], res["current_cost"], res["current_profit"]) == ("$0.0615", "$0.0438", "$0.0177")
    assert (res["draft_revenue"], res["draft_profit"]) == ("$0.0768", "$0.0330")
    assert res["difference"] == "+$0.0153" and res["difference_sign"] == "up"
    # The window counts: 60 days includes the 40-day-old call.
    assert simulator.simulate_all(a, pid, {**GUIDE, "name": "Std"}, 60)["calls"] == "4"


def test_simulator_with_an_uploaded_cdr_file(world):
    a, pid = world["actor_a"], world["pkg"]
    text = (
        "call_id,start,direction,account,caller,destination,duration,disposition,onnet\n"
        "u1,2026-11-01T10:00:00Z,out,100001_front,15145550000,442071234567,60,ANSWERED,0\n"
        "u2,2026-11-01T10:05:00,out,100001_front,15145550000,442071234567,30,NO ANSWER,0\n"
    )
    res = simulator.simulate_all(a, pid, {**GUIDE, "name": "Std", "markup_fixed": "0"}, upload=text.encode())
    assert res["calls"] == "2"
    assert res["current_revenue"] == "$0.0205" and res["draft_revenue"] == "$0.0175"
    with pytest.raises(ValidationFailed) as exc:
        simulator.simulate_all(a, pid, GUIDE, upload=(text + "u3,yesterday,out,x,1,44,5,ANSWERED,0\n").encode())
    assert "line 4:" in _errors(exc)["file"]
    with pytest.raises(ValidationFailed):
        simulator.simulate_all(a, pid, {**GUIDE, "pulse": "0"}, upload=text.encode())


def test_an_uploaded_file_is_read_by_the_rating_commands_rules(world):
    # The command refuses a row without an account, a repeated call_id and a bad disposition: so does the upload.
    a, pid = world["actor_a"], world["pkg"]
    text = (
        "call_id,start,direction,account,caller,destination,duration,disposition,onnet\n"
        "u1,2026-11-01T10:00:00Z,out,,15145550000,442071234567,60,ANSWERED,0\n"
        "u2,2026-11-01T10:05:00Z,out,100001_front,15145550000,442071234567,30,ANSWERED,0\n"
        "u2,2026-11-01T10:06:00Z,out,100001_front,15145550000,442071234567,30,ANSWERED,0\n"
        "u3,2026-11-01T10:07:00Z,out,100001_front,15145550000,442071234567,30,RINGING,0\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        simulator.simulate_all(a, pid, GUIDE, upload=text.encode())
    assert _errors(exc)["file"].splitlines() == [
        "line 2: account: empty",
        "line 4: call_id: 'u2' already on line 3",
        "line 5: disposition: 'RINGING' is not one of ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION",
    ]
