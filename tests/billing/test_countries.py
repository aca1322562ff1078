import pytest

from reseller_app.billing.countries import country_key_prefixes, country_of, route_for

from .factories import package


@pytest.mark.parametrize(
    ("digits", "country"),
    [
        ("15145551234", "CA"),  # Montreal
        ("16135550000", "CA"),  # Ottawa
        ("12125551234", "US"),  # New York
        ("18005551234", "US"),  # toll-free falls to the US
        ("18765551234", "JM"),  # Jamaica: NANP, but another country
        ("17875551234", "PR"),
        ("442071234567", "GB"),
        ("441624123456", "IM"),  # +44 shared: Isle of Man by leading digits
        ("74951234567", "RU"),
        ("77012345678", "KZ"),  # +7 shared
        ("33123456789", "FR"),
        ("999123", None),  # no such calling code
        ("1", None),
        ("", None),
    ],
)
def test_country_of(digits, country):
    assert country_of(digits) == country


def test_country_is_decided_by_its_longest_key_prefix():
    keys = country_key_prefixes()
    for digits in ("15145551234", "441624123456", "447624000000", "77012345678", "3906698123", "2125551234"):
        longest = max((k for k in keys if digits.startswith(k)), key=len)
        assert country_of(longest) == country_of(digits)


def test_routes_us_is_premium_canada_and_others_follow_the_package():
    p = package(canada_route="value", international_route="premium")
    assert route_for("US", p) == "premium"
    assert route_for("CA", p) == "value"
    assert route_for("GB", p) == "premium"
    assert route_for("JM", p) == "premium"
    assert route_for(None, p) == "premium"
    q = package(canada_route="premium", international_route="value")
    assert route_for("US", q) == "premium"  # US has only the premium route
    assert route_for("CA", q) == "premium"
    assert route_for("GB", q) == "value"
