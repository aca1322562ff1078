"""A browser tab's worth of Reflex's websocket protocol, to drive the RUNNING app the way an attacker's script can.

The same protocol as the compiled frontend (`.web/utils/state.js`) and bench/load_bench.py: python-socketio on
path `/_event`, the tab token in the query, `event` messages both ways. Nothing here goes through a browser, so
every field of an event (router data, payload, client-storage vars) is whatever the test says.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import socketio

NAMESPACE = "/_event"
ANSWER_TIMEOUT = 30.0
_CALLS = ""  # the call-history state's full name (its date filter is the marker of Tab.call), set on first use


def names() -> dict[str, str]:
    """Full names of the states the tests use (as the compiled frontend sends them)."""
    from reflex.state import State, UpdateVarsInternalState

    import reseller_app.reseller_app  # noqa: F401 - registers every state
    from reseller_app.state.access.login import LoginState
    from reseller_app.state.access.signup import SignupState
    from reseller_app.state.catalog.simulator import SimulatorTab
    from reseller_app.state.clients.client_list import ClientListState
    from reseller_app.state.clients.manage import ManageState
    from reseller_app.state.portal.calls import CallsState
    from reseller_app.state.portal.dashboard import DashboardState
    from reseller_app.state.portal.reset import ResetState
    from reseller_app.state.portal.security import SecurityState
    from reseller_app.state.portal.services import ServicesState
    from reseller_app.state.portal.shell import PortalState
    from reseller_app.state.session import SessionState
    from reseller_app.state.settings.configuration import ConfigState

    return {
        "root": State.get_full_name(),
        "vars": UpdateVarsInternalState.get_full_name(),
        "login": LoginState.get_full_name(),
        "signup": SignupState.get_full_name(),
        "simulator": SimulatorTab.get_full_name(),
        "clients": ClientListState.get_full_name(),
        "manage": ManageState.get_full_name(),
        "calls": CallsState.get_full_name(),
        "dashboard": DashboardState.get_full_name(),
        "portal": PortalState.get_full_name(),
        "reset": ResetState.get_full_name(),
        "security": SecurityState.get_full_name(),
        "services": ServicesState.get_full_name(),
        "session": SessionState.get_full_name(),
        "config": ConfigState.get_full_name(),
    }


def state_delta(update: dict, state: str) -> dict | None:
    """The delta of one state in an update (its key ends with the state's name), or None."""
    for key, value in (update.get("delta") or {}).items():
        if key == state or key.endswith("." + state.rsplit(".", 1)[-1]):
            return value
    return None


def var(delta: dict | None, name: str) -> Any:
    """A var's value in a state delta (Reflex suffixes var names with `_rx_state_`)."""
    if not delta:
        return None
    return delta.get(f"{name}_rx_state_", delta.get(name))


def redirects(update: dict) -> list[str]:
    """The paths an update tells the browser to go to."""
    return [
        str((e.get("payload") or {}).get("path", ""))
        for e in update.get("events") or []
        if "redirect" in e.get("name", "")
    ]


class Tab:
    """One browser tab: a socket.io connection with its own Reflex token (reusable after a reconnect)."""

    def __init__(self, base: str, token: str | None = None, headers: dict[str, str] | None = None) -> None:
        global _CALLS
        if not _CALLS:
            _CALLS = names()["calls"]
        self.base = base
        self.token = token or str(uuid.uuid4())
        self.headers = headers or {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: list[dict] = []
        self._arrived = asyncio.Event()
        self._marks = 0
        self._calls = _CALLS
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    def _on_update(self, update: Any) -> None:
        if isinstance(update, str):
            update = json.loads(update)
        self.updates.append(update)
        self._arrived.set()

    async def connect(self) -> Tab:
        """Open the websocket the way the frontend does."""
        await self.sio.connect(
            f"{self.base}?token={self.token}",
            headers=self.headers,
            socketio_path="_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            wait_timeout=30,
        )
        return self

    async def close(self) -> None:
        """Close the websocket (the tab's state stays on the server under its token)."""
        await self.sio.disconnect()

    async def emit(self, name: str, payload: dict | None = None, path: str = "/", query: dict | None = None) -> None:
        """Send one event, with router data saying the tab is on `path` (query: the route's parameters)."""
        event = {
            "name": name,
            "payload": payload or {},
            "router_data": {"pathname": path, "asPath": path, "query": query or {}},
        }
        await self.sio.emit("event", event, namespace=NAMESPACE)

    async def wait_for(self, test: Callable[[dict], bool], timeout: float = ANSWER_TIMEOUT, start: int = 0) -> dict:
        """The first update from index `start` on for which `test` is true (waiting for it to arrive)."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            while seen < len(self.updates):
                update = self.updates[seen]
                seen += 1
                if test(update):
                    return update
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching update in {timeout} s ({len(self.updates)} updates)")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=left)
            except TimeoutError:
                continue

    async def call(self, name: str, payload: dict | None = None, path: str = "/", query: dict | None = None) -> dict:
        """Send an event and return everything it answered: {"delta": {state: vars}, "events": [...]}.

        A tab's events are handled in the order they arrive, so a marker event sent right after this one (a
        throw-away filter value of the call-history state) answers after every update of this one: the answer is
        all that arrived in between, however many updates the handler sent.
        """
        start = len(self.updates)
        await self.emit(name, payload, path, query)
        self._marks += 1
        mark = f"m{self._marks:09d}"
        await self.emit(f"{self._calls}.set_to", {"value": mark}, path, query)
        end = self.updates.index(
            await self.wait_for(lambda u: var(state_delta(u, self._calls), "f_to") == mark, start=start)
        )
        answer: dict = {"delta": {}, "events": []}
        for update in self.updates[start : end + 1]:
            for state, values in (update.get("delta") or {}).items():
                if state == self._calls:
                    values = {k: v for k, v in values.items() if not k.startswith("f_to")}
                if values:
                    answer["delta"].setdefault(state, {}).update(values)
            answer["events"].extend(update.get("events") or [])
        return answer

    def merged(self, state: str) -> dict:
        """Everything this tab was told about one state, later values winning (what the browser holds)."""
        out: dict = {}
        for update in self.updates:
            out.update(state_delta(update, state) or {})
        return out
