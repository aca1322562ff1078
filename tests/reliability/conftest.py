"""Fixtures of the reliability tests: the services' `world` (a reseller, a client on a package, a sub-account)."""

from __future__ import annotations

from tests.services.conftest import world  # noqa: F401 - the same fixture, shared
