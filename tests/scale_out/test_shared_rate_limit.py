"""With REDIS_URL, the API's rate limits are one budget for every worker (Redis), not one per process.

Needs Redis on 127.0.0.1:6379 (`make test` runs this folder with the scale-out tests when Redis answers).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time
import uuid

import pytest

from reseller_app.services.api import access as api_access
from reseller_app.services.api.access import RateLimiter, RedisRateLimiter, make_limiter
from tests.api.conftest import api  # noqa: F401 - the REST fixture
from tests.api.helpers import call

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture()
def name():
    """A key prefix of this test's own; its keys are removed afterwards."""
    n = f"test-{uuid.uuid4().hex[:8]}"
    yield n
    RedisRateLimiter(REDIS_URL, n).reset()


def _worker(name: str, attempts: int, limit: int, out: multiprocessing.Queue) -> None:
    """One worker process: its own connection, its own limiter object."""
    limiter = RedisRateLimiter(REDIS_URL, name, limit=limit, window=60)
    out.put(sum(limiter.allow(7) for _ in range(attempts)))


def test_several_processes_share_one_budget(name):
    out: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=_worker, args=(name, 60, 100, out)) for _ in range(3)]
    for p in procs:
        p.start()
    allowed = sum(out.get(timeout=30) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert allowed == 100  # 180 attempts in three processes: exactly the budget, not 3 x 100
    # In-process counters would have let every one of them through.
    local = [RateLimiter(limit=100, window=60) for _ in range(3)]
    assert sum(limiter.allow(7) for limiter in local for _ in range(60)) == 180


def test_concurrent_threads_never_overshoot(name):
    limiter = RedisRateLimiter(REDIS_URL, name, limit=50, window=60)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        mine = [limiter.allow("r1") for _ in range(20)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50 and len(allowed) == 160
    assert limiter.full("r1") and not limiter.full("r2")  # keys have their own budgets; full() counts nothing
    assert limiter.allow("r2")


def test_a_refused_request_is_not_counted_and_the_window_slides(name):
    limiter = RedisRateLimiter(REDIS_URL, name, limit=2, window=0.2)
    assert [limiter.allow("k") for _ in range(3)] == [True, True, False]
    # The window is 200 ms of Redis's clock: ask Redis until the budget is back (a condition, not a sleep).
    other = RedisRateLimiter(REDIS_URL, name, limit=2, window=0.2)
    deadline = time.monotonic() + 5
    while other.full("k"):
        assert time.monotonic() < deadline, "the window never slid"
    assert not other.full("k")
    assert limiter.allow("k")


def test_failed_logins_and_requests_count_across_workers_through_the_api(api, name, monkeypatch):  # noqa: F811
    monkeypatch.setattr(api_access, "settings", dataclasses.replace(api_access.settings, redis_url=REDIS_URL))
    worker_a = make_limiter(name, 3, 60)
    worker_b = make_limiter(name, 3, 60)  # what a second worker process builds from the same settings
    assert isinstance(worker_a, RedisRateLimiter)
    monkeypatch.setattr(api_access, "limiter", worker_a)
    assert [call(api, "getClients")["status"] for _ in range(2)] == ["success", "success"]
    monkeypatch.setattr(api_access, "limiter", worker_b)  # the next requests reach the other worker
    assert [call(api, "getClients")["status"] for _ in range(2)] == ["success", "api_limit_exceeded"]
    assert worker_a.full(api["ra"])


def test_without_redis_url_each_process_counts_alone(monkeypatch):
    monkeypatch.setattr(api_access, "settings", dataclasses.replace(api_access.settings, redis_url=None))
    assert isinstance(make_limiter("x", 3, 60), RateLimiter)


def test_an_unreachable_redis_lets_requests_through(caplog):
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", "down", limit=1, window=60)
    assert limiter.allow("k") and limiter.allow("k") and not limiter.full("k")
    assert "Redis did not answer" in caplog.text
