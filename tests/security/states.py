"""Drive Reflex states without a browser: a root state as Reflex builds it for one tab, and a handler call."""

from __future__ import annotations

import asyncio
import inspect
from typing import TypeVar

import reflex as rx
from reflex.istate.data import PageData, RouterData

import reseller_app.reseller_app  # noqa: F401 - registers every state of the app
from reseller_app.state.session import SessionState

T = TypeVar("T", bound=rx.State)


def root_state(params: dict[str, str], path: str = "/", cookies: dict[str, str] | None = None) -> rx.State:
    """A fresh state tree for a tab on `path` with these route params and session cookie values."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData(_page=PageData(path=path, params=params))
    session = substate(root, SessionState)
    for name, value in (cookies or {}).items():
        setattr(session, name, value)
    return root


def substate(root: rx.State, cls: type[T]) -> T:
    """The instance of `cls` in this tree."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def _drive(result: object) -> object:
    if inspect.isasyncgen(result):
        last = None
        async for last in result:  # noqa: B007 - the last yielded value is the answer
            pass
        return last
    if inspect.isgenerator(result):
        last = None
        for last in result:  # noqa: B007
            pass
        return last
    if inspect.isawaitable(result):
        return await result
    return result


def call(state: rx.State, name: str, *args: object) -> object:
    """Run one event handler of `state` to its end, as the event loop would; returns what it returned."""
    fn = type(state).event_handlers[name].fn
    return asyncio.run(_drive(fn(state, *args)))
