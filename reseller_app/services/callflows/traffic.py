"""The sandbox's invented inbound calls, sent through each number's real call flow (the simulator's walk).

The time of the call is read in the client's time zone, the caller presses a few random keys, and the phones that
ring answer, stay busy or do not answer at random; the call record keeps the path it took.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select

from reseller_app import i18n
from reseller_app.carrier.traffic import Routed, Router
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, SubAccount
from reseller_app.services.callflows import graph as gr
from reseller_app.services.callflows import routing as rt

# What the phones that ring do: mostly answer.
OUTCOME_WEIGHTS = {"answer": 0.72, "noanswer": 0.18, "busy": 0.07, "unreachable": 0.03}
# Key presses: often a menu's first options, sometimes nothing (a timeout) or a wrong key.
KEY_CHOICES = ("1", "2", "3", "1", "2", "", "9", "21", "#")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone name falls back to UTC
        return ZoneInfo("UTC")


def inbound_router(reseller_id: int) -> Router:
    """A router for one reseller's invented inbound calls: each client's flow is read once per router."""
    graphs: dict[int, rt.Graph] = {}

    def route(number: str, start: datetime, caller: str, rng: random.Random) -> Routed | None:
        with session_scope() as session:
            did = session.exec(select(Did).where(Did.reseller_id == reseller_id, Did.number == number)).first()
            if did is None or did.client_id is None:
                return None
            client = session.get(Client, did.client_id)
            if client is None:
                return None
            if client.id not in graphs:
                graphs[client.id] = gr.load_graph(session, client)
            default = session.get(SubAccount, did.sub_account_id) if did.sub_account_id else None
            number_route = gr.number_route(did)
            zone = _zone(client.timezone)
        outcome = rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
        with i18n.use_language(i18n.SOURCE):  # the call record keeps its path in English, whoever asked
            result = rt.walk(
                graphs[client.id],
                number_route,
                start.astimezone(zone),
                rng.choice(KEY_CHOICES),
                caller=caller,
                outcome=outcome,
                choose=lambda members: rng.randrange(len(members)),
            )
        return Routed(
            path=result.path,
            account=result.account or (default.account if default else ""),
            disposition=result.disposition,
        )

    return route
