"""Storing and rating the carrier's call records: each call priced once, posted once, free minutes drawn once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, select

from reseller_app.billing.deck import RateDeck
from reseller_app.billing.package import AreaRate as AreaRateRule
from reseller_app.billing.package import FreeZone as FreeZoneRule
from reseller_app.billing.package import PackageRules
from reseller_app.billing.rating import Call, Rater
from reseller_app.carrier import CarrierCdr, get_carrier
from reseller_app.db import session_scope
from reseller_app.models import (
    AreaRate,
    Cdr,
    Client,
    Did,
    FreeMinuteUsage,
    FreeZone,
    Package,
    Reseller,
    SubAccount,
    utcnow,
)
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.common import format as fmt
from reseller_app.services.reporting.rollup import apply_rated

NO_PACKAGE = PackageRules(name="(no package)", international_route="value")
ZERO = Decimal(0)


@lru_cache(maxsize=8)
def _deck(path: str) -> RateDeck:
    return RateDeck.load_csv(path)


def deck_for(reseller: Reseller) -> RateDeck:
    """The carrier's rate deck for this reseller (cached per file)."""
    path = get_carrier(reseller).deck_csv_path()
    if path is None:
        raise RuntimeError("the carrier has no rate deck")
    return _deck(str(Path(path)))


def package_rules(session: Session, package: Package | None) -> PackageRules:
    """The billing engine's view of a stored package, with its per-area rates and free zones."""
    if package is None:
        return NO_PACKAGE
    areas = session.exec(select(AreaRate).where(AreaRate.package_id == package.id)).all()
    zones = session.exec(select(FreeZone).where(FreeZone.package_id == package.id)).all()
    return PackageRules(
        name=package.name,
        markup_fixed=package.markup_fixed,
        markup_percent=package.markup_percent,
        pulse=package.pulse,
        canada_route=package.canada_route,
        international_route=package.international_route,
        onnet_free=package.onnet_free,
        free_minutes=package.free_minutes,
        area_rates=tuple(AreaRateRule(prefix=a.prefix, country=a.country, rate=a.rate) for a in areas),
        free_zones=tuple(
            FreeZoneRule(
                country=z.value if z.kind == "country" else None,
                prefix=z.value if z.kind == "prefix" else None,
                max_rate=z.max_rate if z.kind == "max_rate" else None,
            )
            for z in zones
        ),
        setup_fee=package.setup_fee,
        monthly_fee=package.monthly_fee,
    )


def _anchor(client: Client | None) -> date:
    # Free-minute cycles are months ending on the client's next billing date.
    if client is not None and client.next_billing_date is not None:
        return client.next_billing_date
    return date(2000, 1, 1)


@dataclass
class IngestResult:
    """What one batch of call records did."""

    stored: int = 0
    duplicates: int = 0
    unrated: int = 0
    unassigned: int = 0
    suspended: int = 0
    billed: Decimal = ZERO


def ingest_cdrs(reseller_id: int, cdrs: list[CarrierCdr]) -> IngestResult:
    """Store, rate and post a batch of the carrier's records for one reseller, in one transaction.

    A record already stored (same uniqueid) is skipped, so a batch can be re-sent safely after a failure.
    """
    result = IngestResult()
    fx = Effects()
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
        if reseller is None:
            raise ValueError(f"no reseller {reseller_id}")
        deck = deck_for(reseller)
        ids = list({c.uniqueid for c in cdrs})
        seen: set[str] = set()
        for i in range(0, len(ids), 500):
            seen.update(
                session.exec(
                    select(Cdr.uniqueid).where(Cdr.reseller_id == reseller_id, Cdr.uniqueid.in_(ids[i : i + 500]))
                ).all()
            )
        fresh: list[CarrierCdr] = []
        for c in cdrs:
            if c.uniqueid in seen:
                result.duplicates += 1
                continue
            seen.add(c.uniqueid)
            fresh.append(c)
        if not fresh:
            return result

        subs = {
            s.account: s
            for s in session.exec(
                select(SubAccount).where(
                    SubAccount.reseller_id == reseller_id,
                    SubAccount.account.in_({c.account for c in fresh}),
                )
            ).all()
        }
        dids = {
            d.number: d
            for d in session.exec(
                select(Did).where(Did.reseller_id == reseller_id, Did.number.in_({c.did for c in fresh if c.did}))
            ).all()
        }
        onnet = set(session.exec(select(Did.number).where(Did.client_id.is_not(None))).all())
        # Lock the batch's clients (in id order, so two batches never deadlock): a concurrent posting that suspends
        # one has committed before this batch reads its status (HARD rule below), or it waits for this batch.
        owners = {s.client_id for s in subs.values()} | {d.client_id for d in dids.values()}
        owners.discard(None)
        clients: dict[int, Client] = {
            c.id: c
            for c in session.exec(
                select(Client).where(Client.id.in_(owners)).order_by(Client.id).with_for_update()
            ).all()
        }
        packages: dict[int, Package] = {}

        def client_of(cid: int | None) -> Client | None:
            if cid is None:
                return None
            if cid not in clients:
                clients[cid] = session.get(Client, cid)
            return clients[cid]

        # Group calls by (package, client anchor) so one Rater draws each pool in start order. Calls that started
        # after a HARD suspension are not billed, and apart, so they draw no free minutes either.
        groups: dict[tuple[int | None, date, bool], list[tuple[CarrierCdr, SubAccount | None, Did | None]]] = (
            defaultdict(list)
        )
        for c in fresh:
            did = dids.get(c.did) if c.did else None
            sub = subs.get(c.account)
            if sub is None and did is not None and did.sub_account_id is not None:
                sub = session.get(SubAccount, did.sub_account_id)
            client = client_of(sub.client_id if sub else (did.client_id if did else None))
            blocked = client is not None and _started_after_suspension(client, c.start)
            groups[(sub.package_id if sub else None, _anchor(client), blocked)].append((c, sub, did))

        usage_rows: dict[tuple[int, date], FreeMinuteUsage] = {}
        rated_rows: list[Cdr] = []
        for (package_id, anchor, blocked), items in groups.items():
            if package_id is not None and package_id not in packages:
                packages[package_id] = session.get(Package, package_id)
            rules = package_rules(session, packages.get(package_id))
            if blocked:
                rules = replace(rules, free_minutes=0)
            pools: dict[tuple[str, date], int] = {}
            if rules.free_minutes > 0:
                for row in session.exec(
                    select(FreeMinuteUsage).where(
                        FreeMinuteUsage.sub_account_id.in_({s.id for _, s, _ in items if s is not None})
                    )
                ).all():
                    usage_rows[(row.sub_account_id, row.cycle_start)] = row
                by_id = {s.id: s.account for _, s, _ in items if s is not None}
                for (sid, start), row in usage_rows.items():
                    if sid in by_id:
                        pools[(by_id[sid], start)] = row.minutes_used
            before = dict(pools)
            calls = [
                Call(
                    call_id=c.uniqueid,
                    start=c.start,
                    direction=c.direction,
                    account=c.account,
                    caller=_digits(c.callerid),
                    destination=c.destination if c.direction == "out" else (c.did or c.destination),
                    duration=c.duration,
                    disposition=c.disposition,
                    carrier_cost=c.carrier_cost,
                    did_rate=(did.per_minute if did is not None else None) if c.direction == "in" else None,
                )
                for c, _, did in items
            ]
            rated = Rater(rules, deck, onnet_numbers=onnet, pools=pools, anchor=anchor).rate(calls)
            for (c, sub, did), r in zip(items, rated, strict=True):
                client = client_of(sub.client_id if sub else (did.client_id if did else None))
                price = r.price if r.price is not None else ZERO
                reason = r.reason if client else "unassigned"
                if client is not None and _started_after_suspension(client, c.start):
                    # Not billable: the reseller bears the carrier cost of a call that got through the block.
                    price, reason = ZERO, "suspended"
                    result.suspended += 1
                row = Cdr(
                    reseller_id=reseller_id,
                    client_id=client.id if client else None,
                    sub_account_id=sub.id if sub else None,
                    did_id=did.id if did else None,
                    uniqueid=c.uniqueid,
                    start=c.start.astimezone(UTC),
                    direction=c.direction,
                    account=c.account,
                    callerid=c.callerid[:120],
                    destination=c.destination[:32],
                    disposition=c.disposition,
                    duration=c.duration,
                    country=r.country or "",
                    route=r.route or "",
                    billable_seconds=r.billable_seconds,
                    cost_rate=r.cost_rate or ZERO,
                    cost=r.cost or ZERO,
                    sell_rate=r.sell_rate or ZERO,
                    price=price if client else ZERO,
                    profit=(price - (r.cost or ZERO)) if client else -(r.cost or ZERO),
                    reason=reason,
                    free_minutes_drawn=r.free_minutes_drawn,
                    rated_at=utcnow(),
                    call_path=c.path[:500],
                )
                session.add(row)
                rated_rows.append(row)
                result.stored += 1
                result.unrated += r.reason == "unrated"
                result.unassigned += client is None
                if client is not None and price > 0:
                    where = "to " + c.destination if c.direction == "out" else "from " + fmt.caller(c.callerid)
                    post_to_client(
                        session,
                        client,
                        kind="call",
                        amount=-price,
                        description=f"Call {where} ({c.duration}s)",
                        reference=f"cdr:{reseller_id}:{c.uniqueid}"[:120],
                        by="rating",
                        fx=fx,
                    )
                    result.billed += price
            for (account, start), used in pools.items():
                if used == before.get((account, start)):
                    continue
                sid = next(s.id for _, s, _ in items if s is not None and s.account == account)
                existing = usage_rows.get((sid, start))
                if existing is None:
                    existing = FreeMinuteUsage(reseller_id=reseller_id, sub_account_id=sid, cycle_start=start)
                    session.add(existing)
                    usage_rows[(sid, start)] = existing
                existing.minutes_used = used
        # The reports' daily roll-up moves in the same transaction as the calls it sums.
        apply_rated(session, rated_rows)
    run_effects(fx)
    return result


def _started_after_suspension(client: Client, start: datetime) -> bool:
    """Whether a call started once the HARD balance rule had suspended its client (so it is not billable).

    Calls in flight at the suspension (started before it) are billed even though they are rated later; a call
    started at or after `suspended_at` is stored with price 0 and reason `suspended`. Manual suspensions and SOFT
    clients are not concerned (SOFT never suspends).
    """
    if client.status != "SUSPENDED" or client.suspended_by != "balance" or client.suspended_at is None:
        return False
    return start.astimezone(UTC) >= client.suspended_at


def _digits(text: str) -> str:
    inside = text.rsplit("<", 1)[-1] if "<" in text else text
    return "".join(ch for ch in inside if ch.isdigit())
