"""Display helpers: a client's time zone that cannot be loaded falls back to UTC (and nothing else is swallowed)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from reseller_app.services.common import format as fmt
from reseller_app.services.portal import account as client_portal

NOON_UTC = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)


def test_a_known_zone_shows_local_time():
    assert fmt.when(NOON_UTC, "America/Montreal") == "2026-10-06 08:00"
    assert client_portal._zone("America/Montreal") == ZoneInfo("America/Montreal")


@pytest.mark.parametrize("zone", ["Nowhere/Atlantis", "America", "", "../etc/passwd", "/etc/localtime", "UTC "])
def test_an_unknown_or_malformed_zone_falls_back_to_utc(zone):
    assert fmt.when(NOON_UTC, zone) == "2026-10-06 12:00"
    assert client_portal._zone(zone) == ZoneInfo("UTC")


def test_a_zone_that_is_not_a_name_is_a_bug_not_a_fallback():
    with pytest.raises(TypeError):
        fmt.when(NOON_UTC, 5)
