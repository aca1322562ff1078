"""Sandbox traffic: invent calls on a reseller's real sub-accounts and numbers so a demo portal shows calls arriving.

The calls are fed to the sandbox carrier with `record_call`, exactly as the switch would; the CDR sync then rates
and posts them like any other call. Given a router (the services' `callflows.traffic.inbound_router`), an inbound
call goes through its number's real call flow and the record keeps the path it took.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Did, SubAccount, utcnow

from .base import CarrierCdr
from .sandbox import SandboxCarrier

# Destinations by kind (digits, international form): local Canada / US, and a few international ones.
DESTINATIONS = {
    "canada": ["15145550143", "14165550187", "16045550112", "14035550166", "16135550190"],
    "usa": ["12125550111", "13105550122", "13125550133", "13055550144", "12065550155"],
    "international": ["442071234567", "33142685300", "4930123456", "525555555555", "61291234567"],
}
CALLERS = ["15145550100", "14385550101", "14165550102", "12125550103", "16045550104"]


@dataclass(frozen=True)
class Routed:
    """Where an inbound call went: its path, the sub-account that took it (or the number's), how it ended."""

    path: str
    account: str
    disposition: str


# (number called, start (UTC), caller digits, random source) -> where the call went, or None to keep the default.
Router = Callable[[str, datetime, str, random.Random], Routed | None]


@dataclass
class TrafficMix:
    """How calls are spread: weights by kind, and the share that is not answered."""

    inbound: float = 0.35
    canada: float = 0.35
    usa: float = 0.2
    international: float = 0.1
    unanswered: float = 0.15
    mean_seconds: int = 150
    kinds: list[str] = field(default_factory=lambda: ["inbound", "canada", "usa", "international"])

    def weights(self) -> list[float]:
        """Weights in the order of `kinds`."""
        return [max(getattr(self, k), 0.0) for k in self.kinds]


def make_calls(
    reseller_id: int,
    count: int,
    *,
    mix: TrafficMix | None = None,
    rng: random.Random | None = None,
    now: datetime | None = None,
    spread: timedelta = timedelta(minutes=1),
    route_inbound: Router | None = None,
) -> list[CarrierCdr]:
    """Invent `count` calls on the reseller's connected sub-accounts and DIDs, started within `spread` before now.

    With `route_inbound`, each inbound call follows its number's call flow: the path, the answering sub-account and
    the outcome come from it (the call lasts only when it was answered).
    """
    mix = mix or TrafficMix()
    rng = rng or random.Random()  # demo traffic, not security
    now = now or utcnow()
    with session_scope() as session:
        subs = list(
            session.exec(
                select(SubAccount.account).where(
                    SubAccount.reseller_id == reseller_id, SubAccount.client_id.is_not(None)
                )
            ).all()
        )
        dids = list(
            session.exec(
                select(Did.number, SubAccount.account)
                .join(SubAccount, Did.sub_account_id == SubAccount.id, isouter=True)
                .where(Did.reseller_id == reseller_id, Did.client_id.is_not(None), Did.kind == "voice")
            ).all()
        )
    if not subs and not dids:
        return []
    calls: list[CarrierCdr] = []
    weights = mix.weights()
    for _ in range(max(count, 0)):
        kind = rng.choices(mix.kinds, weights=weights)[0] if sum(weights) > 0 else "canada"
        if kind == "inbound" and not dids:
            kind = "canada"
        if kind != "inbound" and not subs:
            kind = "inbound"
        answered = rng.random() >= mix.unanswered
        duration = max(1, int(rng.expovariate(1 / max(mix.mean_seconds, 1)))) if answered else 0
        disposition = "ANSWERED" if answered else rng.choice(["NO ANSWER", "BUSY", "FAILED"])
        start = now - timedelta(seconds=rng.uniform(0, spread.total_seconds()))
        uid = f"sbx-{uuid.uuid4().hex[:16]}"
        if kind == "inbound":
            number, account = rng.choice(dids)
            caller = rng.choice(CALLERS)
            path = ""
            routed = route_inbound(number, start, caller, rng) if route_inbound is not None else None
            if routed is not None:
                path, account, disposition = routed.path, routed.account or account, routed.disposition
                if disposition == "ANSWERED":
                    duration = duration or max(1, int(rng.expovariate(1 / max(mix.mean_seconds, 1))))
                else:
                    duration = 0
            calls.append(
                CarrierCdr(
                    uniqueid=uid,
                    start=start,
                    direction="in",
                    account=account or "",
                    callerid=f'"Caller" <{caller}>',
                    destination=number,
                    duration=duration,
                    disposition=disposition,
                    did=number,
                    path=path,
                )
            )
        else:
            account = rng.choice(subs)
            calls.append(
                CarrierCdr(
                    uniqueid=uid,
                    start=start,
                    direction="out",
                    account=account,
                    callerid=f'"{account}" <{rng.choice(CALLERS)}>',
                    destination=rng.choice(DESTINATIONS[kind]),
                    duration=duration,
                    disposition=disposition,
                )
            )
    return sorted(calls, key=lambda c: c.start)


def generate(
    carrier: SandboxCarrier,
    reseller_id: int,
    count: int,
    *,
    mix: TrafficMix | None = None,
    rng: random.Random | None = None,
    now: datetime | None = None,
    route_inbound: Router | None = None,
) -> int:
    """Record `count` invented calls for the reseller at the sandbox carrier; returns how many were recorded."""
    calls = make_calls(reseller_id, count, mix=mix, rng=rng, now=now, route_inbound=route_inbound)
    for c in calls:
        carrier.record_call(reseller_id, c)
    return len(calls)
