import json
from datetime import date
from decimal import Decimal as D

import pytest

from reseller_app.billing.package import AreaRate, FreeZone, PackageRules

GOOD = {
    "name": "Gold",
    "markup_fixed": "0.0025",
    "markup_percent": "20",
    "pulse": 6,
    "canada_route": "value",
    "international_route": "premium",
    "onnet_free": True,
    "free_minutes": 100,
    "billing_anchor": "2024-01-31",
    "did_rate": "0.0100",
    "area_rates": [{"prefix": "4420", "rate": "0.015"}, {"country": "gb", "rate": "0.03"}],
    "free_zones": [{"country": "DE"}, {"prefix": "1800"}, {"max_rate": "0.001"}],
}


def test_from_json_reads_every_field_exactly():
    p = PackageRules.from_json(json.loads(json.dumps(GOOD)))
    assert p.markup_fixed == D("0.0025") and p.markup_percent == D("20")
    assert p.pulse == 6 and p.free_minutes == 100 and p.onnet_free is True
    assert p.billing_anchor == date(2024, 1, 31)
    assert p.did_rate == D("0.0100")
    assert p.area_rates == (AreaRate(D("0.015"), prefix="4420"), AreaRate(D("0.03"), country="GB"))
    assert p.free_zones == (FreeZone(country="DE"), FreeZone(prefix="1800"), FreeZone(max_rate=D("0.001")))


def test_defaults_for_optional_keys():
    p = PackageRules.from_json(
        {k: GOOD[k] for k in ("markup_fixed", "markup_percent", "pulse", "canada_route", "international_route")}
    )
    assert p.free_minutes == 0 and p.did_rate == 0 and p.area_rates == () and p.billing_anchor is None


def test_exact_json_numbers_are_accepted_floats_are_not():
    assert PackageRules.from_json({**GOOD, "markup_fixed": D("0.0025")}).markup_fixed == D("0.0025")
    with pytest.raises(ValueError, match="markup_fixed: amounts must be JSON strings"):
        PackageRules.from_json({**GOOD, "markup_fixed": 0.0025})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pulse": 0}, "pulse: must be a whole number of seconds from 1 to 3600"),
        ({"pulse": 3601}, "pulse"),
        ({"pulse": "6"}, "pulse"),
        ({"pulse": True}, "pulse"),
        ({"markup_percent": "-5"}, "markup_percent: '-5' must not be negative"),
        ({"markup_fixed": "x"}, "markup_fixed: 'x' is not a plain decimal"),
        ({"canada_route": "cheap"}, "canada_route: must be 'value' or 'premium'"),
        ({"free_minutes": -1}, "free_minutes"),
        ({"onnet_free": "yes"}, "onnet_free"),
        ({"billing_anchor": "2024-02-30"}, "billing_anchor"),
        ({"area_rates": [{"prefix": "44"}]}, r"area_rates\[0\]"),
        ({"area_rates": [{"prefix": "+44", "rate": "1"}]}, "prefix must be a string of digits"),
        ({"area_rates": [{"country": "UK", "rate": "1"}]}, "'UK' is not an ISO country code"),
        ({"area_rates": [{"prefix": "44", "rate": "1"}, {"prefix": "44", "rate": "2"}]}, "duplicate prefix 44"),
        ({"free_zones": [{"country": "DE", "prefix": "49"}]}, r"free_zones\[0\]: needs exactly one"),
        ({"colour": "red"}, "unknown key"),
    ],
)
def test_from_json_rejects_bad_values_naming_the_key(change, message):
    with pytest.raises(ValueError, match=message):
        PackageRules.from_json({**GOOD, **change})


def test_missing_required_key():
    data = dict(GOOD)
    del data["pulse"]
    with pytest.raises(ValueError, match="missing key"):
        PackageRules.from_json(data)
