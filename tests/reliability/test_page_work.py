"""A page's slow work (writes, argon2, report queries) runs in a thread, so the event loop serves other sessions.

The handlers are driven as the event loop would run them (tests/security/states.py); the service each one calls is
replaced by a probe that records the thread it ran on and, in the first test, waits until the loop has shown that
it is free.
"""

from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar

import pytest

from reseller_app.services.access import auth
from reseller_app.services.accounting import postings
from reseller_app.services.clients import accounts as clients
from reseller_app.services.reporting import cdr
from reseller_app.state.clients.client_form import ClientFormState
from reseller_app.state.clients.manage import ManageState
from reseller_app.state.reporting.reports import ReportsState
from reseller_app.state.session import blocking
from tests.security.states import call, root_state, substate

_probe: ContextVar[str] = ContextVar("probe", default="unset")


def test_blocking_runs_in_a_page_work_thread_with_the_callers_context_and_leaves_the_loop_free():
    started, release = threading.Event(), threading.Event()

    def slow() -> tuple[str, str]:
        started.set()
        if not release.wait(10):  # released by the loop: only possible if the loop is not the one waiting here
            raise TimeoutError("the loop never ran while the slow call waited")
        return threading.current_thread().name, _probe.get()

    async def scenario() -> tuple[str, str]:
        _probe.set("from the handler")
        task = asyncio.create_task(blocking(slow))
        await asyncio.to_thread(started.wait, 5)
        release.set()  # the loop runs this line while `slow` still waits in its thread
        return await task

    name, seen = asyncio.run(scenario())
    assert name.startswith("page-work") and seen == "from the handler"


class Probe:
    """Stands in for a service: records the thread each call ran on and returns a canned answer."""

    def __init__(self, answer: object = None) -> None:
        self.threads: list[str] = []
        self.answer = answer

    def __call__(self, *_args: object, **_kwargs: object) -> object:
        self.threads.append(threading.current_thread().name)
        return self.answer


@pytest.fixture()
def reseller_tab(world):
    token = auth.login_reseller("ra@example.com", "password-123")
    return root_state({"cid": str(world["c"])}, "/reseller/clients", {"reseller_token": token})


def test_a_manual_posting_runs_off_the_loop(world, reseller_tab, monkeypatch):
    probe = Probe()
    monkeypatch.setattr(postings, "manual_posting", probe)
    state = substate(reseller_tab, ManageState)
    state.cid = str(world["c"])
    call(state, "post", {"amount": "5", "description": "Cash", "token": "t1"})
    assert state.errors == {} and len(probe.threads) == 1 and probe.threads[0].startswith("page-work")


def test_creating_a_client_hashes_its_password_off_the_loop(world, reseller_tab, monkeypatch):
    probe = Probe(answer=world["c"])
    monkeypatch.setattr(clients, "create_client", probe)
    state = substate(reseller_tab, ClientFormState)
    state.cid, state.sub_choice = "", "none"
    call(state, "save")
    assert len(probe.threads) == 1 and probe.threads[0].startswith("page-work")


def test_report_queries_run_off_the_loop(world, reseller_tab, monkeypatch):
    probe = Probe(answer={"items": [], "totals": {}, "page": 1, "pages": 1, "total": 0})
    monkeypatch.setattr(cdr, "cdr_report", probe)
    state = substate(reseller_tab, ReportsState)
    state.tab, state.date_from, state.date_to = "global", "2026-11-01", "2026-11-30"
    call(state, "turn", 0)
    assert state.error == "" and len(probe.threads) == 1 and probe.threads[0].startswith("page-work")
