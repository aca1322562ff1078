"""Each rule of docs billing-rules.md with a worked number."""

from datetime import date, timedelta

import pytest

from reseller_app.billing.rating import (
    Rater,
    RatingEngine,
    amount_for,
    billable_seconds,
    draw_free_minutes,
    markup,
    quote,
    rate_calls,
    sell_rate_for,
)

from .factories import T0, AreaRate, D, FreeZone, call, deck, package, standard_deck


def rate1(c, pkg=None, dk=None, **kw):
    return rate_calls([c], pkg or package(), dk or standard_deck(), **kw)[0]


# --- markup -------------------------------------------------------------------------


def test_guide_markup_example():
    # (0.009 + 0.0025) x 1.2 = 0.0138
    assert markup(D("0.009"), D("0.0025"), D("20")) == D("0.013800")
    assert sell_rate_for(D("0.009"), package()) == D("0.013800")


def test_markup_rounds_to_6_places_half_up():
    # (0.0000041 + 0) x 1.125 = 0.00000461... -> 0.000005
    assert markup(D("0.000004"), D("0"), D("12.5")) == D("0.000005")
    assert markup(D("0.000004"), D("0.000001"), D("0")) == D("0.000005")


def test_markup_route_prices_a_call():
    # 447 premium costs 0.05; sell (0.05 + 0.0025) x 1.2 = 0.063; 100 s at pulse 6 bills 102 s
    r = rate1(call("447911123456", 100))
    assert (r.cost_rate, r.sell_rate) == (D("0.050000"), D("0.063000"))
    assert r.billable_seconds == 102
    assert r.price == D("0.1071")  # 0.063 x 102 / 60
    assert r.cost == D("0.0850")  # 0.05 x 102 / 60 (carrier increment 6)
    assert r.profit == D("0.0221")
    assert (r.reason, r.country, r.route) == ("", "GB", "premium")


# --- pulse and rounding -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pulse", "billable", "price"),
    [(1, 61, "0.0508"), (6, 66, "0.0550"), (30, 90, "0.0750"), (60, 120, "0.1000")],
)
def test_pulse(pulse, billable, price):
    pkg = package(pulse=pulse, area_rates=(AreaRate(D("0.05"), prefix="4420"),))
    r = rate1(call("442071234567", 61), pkg)
    assert r.sell_rate == D("0.050000")
    assert r.billable_seconds == billable
    assert r.price == D(price)


def test_round_once_at_the_end():
    # A 60 s call at 0.05/min costs 0.0500, not ten rounded 6 s steps.
    pkg = package(pulse=6, area_rates=(AreaRate(D("0.05"), prefix="4420"),))
    assert rate1(call("442071234567", 60), pkg).price == D("0.0500")
    # Half-up: 0.003 x 1 / 60 = 0.00005 -> 0.0001 (banker's rounding would give 0.0000).
    pkg = package(pulse=1, area_rates=(AreaRate(D("0.003"), prefix="4420"),))
    assert rate1(call("442071234567", 1), pkg).price == D("0.0001")


def test_helpers():
    assert billable_seconds(61, 6) == 66 and billable_seconds(0, 6) == 0 and billable_seconds(60, 60) == 60
    assert amount_for(D("0.0138"), 66) == D("0.0152")  # 0.01518


# --- carrier cost -------------------------------------------------------------------


@pytest.mark.parametrize(("increment", "cost"), [(60, "0.0240"), (6, "0.0132"), (1, "0.0122"), (30, "0.0180")])
def test_carrier_cost_uses_the_deck_increment(increment, cost):
    # cost = round4(0.012 x ceil(61 / inc) x inc / 60)
    r = rate1(call("4930123456", 61), dk=deck(("premium", "49", "0.012", increment)))
    assert r.cost == D(cost)


def test_carrier_amount_wins_when_the_record_has_one():
    r = rate1(call("4930123456", 61, carrier_cost=D("0.0199")))
    assert r.cost == D("0.0199")
    assert r.price == D("0.0297")  # sell (0.02 + 0.0025) x 1.2 = 0.027; x 66 s / 60
    assert r.profit == D("0.0098")


# --- routes -------------------------------------------------------------------------


def test_us_always_premium():
    r = rate1(call("12125551234", 60), package(canada_route="value", international_route="value"))
    assert (r.country, r.route, r.cost_rate) == ("US", "premium", D("0.004000"))
    assert r.sell_rate == D("0.007800")  # (0.004 + 0.0025) x 1.2


@pytest.mark.parametrize(
    ("route", "cost", "sell"), [("value", "0.005000", "0.009000"), ("premium", "0.009000", "0.013800")]
)
def test_canada_takes_the_package_canada_route(route, cost, sell):
    r = rate1(call("15145551234", 60), package(canada_route=route))
    assert (r.country, r.route, r.cost_rate, r.sell_rate) == ("CA", route, D(cost), D(sell))


@pytest.mark.parametrize(
    ("route", "cost", "sell"), [("value", "0.006000", "0.010200"), ("premium", "0.008000", "0.012600")]
)
def test_other_countries_take_the_international_route(route, cost, sell):
    r = rate1(call("442071234567", 60), package(international_route=route, canada_route="premium"))
    assert (r.country, r.route, r.cost_rate, r.sell_rate) == ("GB", route, D(cost), D(sell))


# --- unrated, not answered ----------------------------------------------------------


def test_no_prefix_on_the_route_is_unrated_never_free():
    r = rate1(call("4930123456", 61), package(international_route="value"))  # 49 only on premium
    assert r.reason == "unrated"
    assert (r.cost_rate, r.cost, r.sell_rate, r.price, r.profit) == (None, None, None, None, None)
    assert r.billable_seconds == 66
    assert rate1(call("999123456", 61)).reason == "unrated"  # no such country


def test_unrated_even_with_an_area_rate_because_the_cost_is_unknown():
    pkg = package(international_route="value", area_rates=(AreaRate(D("0.1"), country="DE"),))
    assert rate1(call("4930123456", 61), pkg).reason == "unrated"


@pytest.mark.parametrize("disposition", ["NO ANSWER", "BUSY", "FAILED", "CONGESTION", "no_answer"])
def test_not_answered_bills_and_costs_nothing(disposition):
    r = rate1(call("447911123456", 30, disposition=disposition))
    assert (r.billable_seconds, r.cost, r.price, r.profit, r.reason) == (0, D(0), D(0), D(0), "not_answered")
    assert r.sell_rate == D("0.063000")  # the rate is still shown


def test_zero_second_call_bills_nothing_even_if_unrated():
    r = rate1(call("447911123456", 0))
    assert (r.billable_seconds, r.price, r.reason) == (0, D(0), "not_answered")
    r = rate1(call("999123", 0))
    assert (r.price, r.reason) == (D(0), "not_answered")


def test_unknown_disposition_is_refused():
    with pytest.raises(ValueError, match="disposition"):
        call(disposition="RINGING")


# --- on-net, free zones, area rates -------------------------------------------------


def test_onnet_free_when_the_package_allows_it():
    pkg = package(onnet_free=True)
    r = rate1(call("15145551234", 120, onnet=True), pkg)
    assert (r.price, r.cost, r.sell_rate, r.reason, r.billable_seconds) == (D(0), D(0), D(0), "onnet", 120)
    assert rate1(call("15145551234", 120), pkg, onnet_numbers={"15145551234"}).reason == "onnet"
    # Without the package option an on-net call is an ordinary call.
    assert rate1(call("15145551234", 120, onnet=True)).price == D("0.0180")  # 0.009 x 2


def test_free_zone_by_country():
    pkg = package(free_zones=(FreeZone(country="DE"),))
    r = rate1(call("4930123456", 60), pkg)
    assert (r.reason, r.price, r.sell_rate) == ("free_zone", D(0), D(0))
    assert (r.cost, r.profit) == (D("0.0200"), D("-0.0200"))  # the carrier still charges


def test_free_zone_by_prefix():
    pkg = package(free_zones=(FreeZone(prefix="4420"),))
    assert rate1(call("442071234567", 60), pkg).reason == "free_zone"
    assert rate1(call("441611234567", 60), pkg).reason == ""


def test_free_zone_by_max_cost_rate():
    pkg = package(free_zones=(FreeZone(max_rate=D("0.001")),))
    assert rate1(call("33123456789", 60), pkg).reason == "free_zone"  # cost 0.0008 <= 0.001
    r = rate1(call("34123456789", 60), pkg)  # cost 0.0011 > 0.001
    assert (r.reason, r.sell_rate, r.price) == ("", D("0.004320"), D("0.0043"))  # (0.0011+0.0025) x 1.2


def test_area_rate_longest_prefix_then_country():
    pkg = package(
        area_rates=(
            AreaRate(D("0.02"), prefix="44"),
            AreaRate(D("0.015"), prefix="4420"),
            AreaRate(D("0.03"), country="GB"),
        )
    )
    assert rate1(call("442071234567", 60), pkg).sell_rate == D("0.015")  # longest prefix
    assert rate1(call("441611234567", 60), pkg).sell_rate == D("0.02")  # a prefix beats the country
    pkg = package(area_rates=(AreaRate(D("0.015"), prefix="4420"), AreaRate(D("0.03"), country="GB")))
    r = rate1(call("441611234567", 60), pkg)
    assert (r.sell_rate, r.price, r.cost_rate) == (D("0.03"), D("0.0300"), D("0.010000"))  # country entry


def test_area_rate_overrides_markup_but_not_a_free_zone():
    pkg = package(area_rates=(AreaRate(D("0.5"), country="DE"),), free_zones=(FreeZone(prefix="4930"),))
    assert rate1(call("4930123456", 60), pkg).reason == "free_zone"
    assert rate1(call("4940123456", 60), pkg).price == D("0.5000")


def test_quote_for_the_ui():
    pkg = package(free_zones=(FreeZone(country="DE"),), area_rates=(AreaRate(D("0.2"), prefix="447"),))
    dk = standard_deck()
    q = quote("442071234567", pkg, dk)
    assert (q.country, q.route, q.cost_rate, q.sell_rate, q.rule) == (
        "GB",
        "premium",
        D("0.008"),
        D("0.0126"),
        "markup",
    )
    assert q.destination_name == "dest 4420" and q.increment == 6
    assert quote("447911123456", pkg, dk).rule == "area_rate"
    assert quote("4930123456", pkg, dk).rule == "free_zone"
    assert quote("999", pkg, dk).rule == "unrated"
    assert quote("15145551234", package(onnet_free=True), dk, onnet=True).rule == "onnet"
    assert RatingEngine(pkg, dk).quote("442071234567") == q
    with pytest.raises(ValueError):
        quote("+44", pkg, dk)


# --- free minutes -------------------------------------------------------------------


def test_three_minutes_eleven_seconds_draws_four():
    assert draw_free_minutes(191, 10, 6) == (4, 0)
    assert draw_free_minutes(125, 1, 6) == (1, 66)  # straddles: 65 s left, billed 66 at pulse 6
    assert draw_free_minutes(30, 0, 6) == (0, 30)


def test_free_minute_pool_in_start_order_with_a_straddling_call():
    pkg = package(free_minutes=10)
    calls = [  # deliberately not in start order
        call("447911123456", 125, call_id="c3", start=T0 + timedelta(hours=2)),
        call("447911123456", 191, call_id="c1", start=T0),
        call("447911123456", 30, call_id="c4", start=T0 + timedelta(hours=3)),
        call("447911123456", 300, call_id="c2", start=T0 + timedelta(hours=1)),
        call("447911123456", 191, call_id="c5", start=T0 + timedelta(hours=5), account="sa2"),
    ]
    pools = {}
    out = {r.call_id: r for r in rate_calls(calls, pkg, standard_deck(), pools=pools)}
    assert [r.call_id for r in rate_calls(calls, pkg, standard_deck())] == ["c3", "c1", "c4", "c2", "c5"]
    c1, c2, c3, c4, c5 = (out[k] for k in ("c1", "c2", "c3", "c4", "c5"))
    assert (c1.reason, c1.free_minutes_drawn, c1.price, c1.billable_seconds) == ("free_minutes", 4, D(0), 0)
    assert c1.cost == D("0.1600")  # the carrier still bills 192 s x 0.05
    assert (c2.reason, c2.free_minutes_drawn) == ("free_minutes", 5)
    # 1 minute left for 125 s: 65 s remain, 66 s at pulse 6 x 0.063 = 0.0693
    assert (c3.reason, c3.free_minutes_drawn, c3.billable_seconds, c3.price) == ("", 1, 66, D("0.0693"))
    assert (c4.free_minutes_drawn, c4.billable_seconds, c4.price) == (0, 30, D("0.0315"))
    assert (c5.reason, c5.free_minutes_drawn) == ("free_minutes", 4)  # its own pool
    cycle = date(2024, 2, 29)  # anchor Jan 31: cycles start Jan 31, Feb 29, Mar 31 ...
    assert pools == {("sa1", cycle): 10, ("sa2", cycle): 4}


def test_same_start_draws_by_call_id():
    pkg = package(free_minutes=1)
    out = rate_calls(
        [call("447911123456", 60, call_id="b"), call("447911123456", 60, call_id="a")], pkg, standard_deck()
    )
    assert [(r.call_id, r.reason) for r in out] == [("b", ""), ("a", "free_minutes")]


def test_pool_refills_each_cycle():
    pkg = package(free_minutes=1)
    last_day = date(2024, 3, 30)
    calls = [
        call("447911123456", 60, call_id="x", start=T0.replace(month=3, day=30, hour=23, minute=59)),
        call("447911123456", 60, call_id="y", start=T0.replace(month=3, day=31, hour=0, minute=0)),
    ]
    pools = {}
    out = rate_calls(calls, pkg, standard_deck(), pools=pools)
    assert [r.reason for r in out] == ["free_minutes", "free_minutes"]
    assert pools == {("sa1", date(2024, 2, 29)): 1, ("sa1", date(2024, 3, 31)): 1}
    assert last_day < date(2024, 3, 31)


def test_already_used_minutes_are_honoured_for_incremental_rating():
    pkg = package(free_minutes=10)
    pools = {("sa1", date(2024, 2, 29)): 9}
    r = rate_calls([call("447911123456", 125)], pkg, standard_deck(), pools=pools)[0]
    assert (r.free_minutes_drawn, r.billable_seconds) == (1, 66)
    assert pools[("sa1", date(2024, 2, 29))] == 10
    r = Rater(pkg, standard_deck(), pools=pools).rate([call("447911123456", 60, call_id="c2")])[0]
    assert (r.free_minutes_drawn, r.price) == (0, D("0.0630"))


def test_free_by_onnet_or_free_zone_draws_nothing():
    pkg = package(free_minutes=1, onnet_free=True, free_zones=(FreeZone(country="DE"),))
    calls = [
        call("4930123456", 60, call_id="fz", start=T0),
        call("15145551234", 60, call_id="on", start=T0 + timedelta(minutes=1), onnet=True),
        call("447911123456", 60, call_id="paid", start=T0 + timedelta(minutes=2)),
    ]
    out = rate_calls(calls, pkg, standard_deck())
    assert [(r.reason, r.free_minutes_drawn) for r in out] == [("free_zone", 0), ("onnet", 0), ("free_minutes", 1)]


def test_inbound_and_outbound_share_the_pool():
    pkg = package(free_minutes=2)
    calls = [
        call("14385550000", 90, call_id="in", direction="in", start=T0),
        call("447911123456", 90, call_id="out", start=T0 + timedelta(minutes=5)),
    ]
    out = rate_calls(calls, pkg, standard_deck())
    assert [(r.reason, r.free_minutes_drawn) for r in out] == [("free_minutes", 2), ("", 0)]


def test_free_minutes_need_an_anchor():
    with pytest.raises(ValueError, match="anchor"):
        Rater(package(free_minutes=5, billing_anchor=None), standard_deck())
    r = Rater(package(free_minutes=5, billing_anchor=None), standard_deck(), anchor=date(2024, 3, 1))
    assert r.rate([call("447911123456", 60)])[0].reason == "free_minutes"


# --- inbound DIDs and faxes ---------------------------------------------------------


def test_inbound_did_rate_with_package_pulse():
    # 61 s at pulse 6 bills 66 s x 0.01 = 0.011
    r = rate1(call("14385550000", 61, direction="in"))
    assert (r.billable_seconds, r.sell_rate, r.price, r.cost, r.profit) == (
        66,
        D("0.01"),
        D("0.0110"),
        D(0),
        D("0.0110"),
    )
    r = rate1(call("14385550000", 61, direction="in", did_rate=D("0.02")))
    assert r.price == D("0.0220")
    r = rate1(call("14385550000", 61, direction="in", disposition="BUSY"))
    assert (r.price, r.reason) == (D(0), "not_answered")


def test_inbound_ignores_free_zones():
    pkg = package(free_zones=(FreeZone(country="CA"), FreeZone(prefix="1438")))
    assert rate1(call("14385550000", 60, direction="in", caller="4930123456"), pkg).price == D("0.0100")


def test_inbound_onnet_caller_is_free_when_the_package_allows():
    pkg = package(onnet_free=True)
    r = rate1(call("14385550000", 60, direction="in", caller="15145550000"), pkg, onnet_numbers={"15145550000"})
    assert (r.reason, r.price) == ("onnet", D(0))


def test_faxes():
    pkg = package(free_zones=(FreeZone(country="DE"),), area_rates=(AreaRate(D("0.5"), country="DE"),))
    sent = rate1(call("4930123456", 60, kind="fax"), pkg)
    assert (sent.sell_rate, sent.price, sent.reason) == (D("0.027"), D("0.0270"), "")  # markup only
    received = rate1(call("14385550000", 60, direction="in", kind="fax"), pkg)
    assert received.price == D("0.0100")  # like an inbound call


def test_rating_is_deterministic_and_order_free():
    pkg = package(free_minutes=5)
    calls = [call("447911123456", 100 + i, call_id=f"c{i}", start=T0 + timedelta(minutes=i)) for i in range(6)]
    a = {r.call_id: r for r in rate_calls(calls, pkg, standard_deck())}
    b = {r.call_id: r for r in rate_calls(list(reversed(calls)), pkg, standard_deck())}
    assert a == b
