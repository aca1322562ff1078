"""Where each of the client's numbers rings: its routing and failovers, its diagram, and "what happens if…".

Routing a number goes to the carrier first (VoIP.ms's DID routing fields, or the sandbox), then is stored; when
storing fails the carrier gets the old routing back. The diagram and the simulator read the same routing code
(`routing.walk`, `routing.diagram`) that the sandbox's inbound traffic goes through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.carrier.callflows import NO_TARGET, DidRoutingSpec, Target
from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import Client, Did, Reseller
from reseller_app.services.access.actor import Actor
from reseller_app.services.callflows import graph as gr
from reseller_app.services.callflows import objects
from reseller_app.services.callflows import routing as rt
from reseller_app.services.common import audit
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.portal.account import PortalView, require_service

log = logging.getLogger(__name__)

ROUTE_FIELDS = ("routing", "failover_busy", "failover_noanswer", "failover_unreachable")
MAX_KEYS = 20


def _number(session: Session, client: Client, did_id: object) -> Did:
    did = objects._own(session, Did, did_id, client, "number")
    if did.kind != "voice":
        raise NotFound(_("No such number."))
    return did


def _open(session: Session, actor: Actor) -> tuple[Client, PortalView]:
    client = objects._client(session, actor)
    return client, require_service(session, client, "dids")


def numbers(actor: Actor) -> dict:
    """The client's phone numbers with where each rings, and the destinations the client may pick."""
    with session_scope() as session:
        client, view = _open(session, actor)
        graph = gr.load_graph(session, client)
        dids = session.exec(
            select(Did).where(Did.client_id == client.id, Did.kind == "voice").order_by(Did.number)
        ).all()
        rows = []
        for d in dids:
            route = gr.number_route(d)
            rows.append(
                {
                    "id": str(d.id),
                    "number": d.number,
                    "display": route.label,
                    "routes_to": graph.label(route.dest) if route.dest.is_set else _("Not routed"),
                    "routing": str(route.dest) if route.dest.is_set else "",
                    "failover_busy": str(route.busy) if route.busy.is_set else "",
                    "failover_noanswer": str(route.noanswer) if route.noanswer.is_set else "",
                    "failover_unreachable": str(route.unreachable) if route.unreachable.is_set else "",
                }
            )
        return {
            "numbers": rows,
            "choices": objects.pick_lists(session, client, view, graph)["dests"],
            "today": datetime.now(_zone(client.timezone)).date().isoformat(),
        }


def route_number(actor: Actor, did_id: object, form: Mapping[str, object]) -> None:
    """Send one of the client's numbers to one of its destinations, with failovers (busy, no answer, unreachable)."""
    with session_scope() as session:
        client, view = _open(session, actor)
        did = _number(session, client, did_id)
        current = gr.number_route(did)
        f = objects.Form(session, client, view, gr.load_graph(session, client), form)
        kept = {
            "routing": str(current.dest),
            "failover_busy": str(current.busy),
            "failover_noanswer": str(current.noanswer),
            "failover_unreachable": str(current.unreachable),
        }
        values = {
            key: f.dest(key, objects.ROUTE_KINDS, required=key == "routing", current=kept[key]) for key in ROUTE_FIELDS
        }
        if f.errors:
            raise ValidationFailed(f.errors)
        old = _spec(session, client, current)
        new = _spec(
            session,
            client,
            rt.NumberRoute(
                did.number,
                gr.dest_of(values["routing"]),
                gr.dest_of(values["failover_busy"]),
                gr.dest_of(values["failover_noanswer"]),
                gr.dest_of(values["failover_unreachable"]),
            ),
        )
        number = did.number
        reseller = session.get(Reseller, client.reseller_id)
    carrier = get_carrier(reseller)
    try:
        carrier.route_did(reseller.id, number, new)  # outside any transaction
    except CarrierError as e:
        field = "routing" if e.code in ("unsupported_routing", "invalid_routing", "invalid_routing_header") else "form"
        raise ValidationFailed({field: _("The carrier refused this routing: {error}").format(error=e)}) from None
    try:
        with session_scope() as session:
            client, view = _open(session, actor)
            did = _number(session, client, did_id)
            graph = gr.load_graph(session, client)
            for key in ROUTE_FIELDS:
                dest = gr.dest_of(values[key])
                if dest.is_set and not graph.exists(dest):
                    raise ValidationFailed({key: _("This destination was just deleted: choose another.")})
                setattr(did, key, values[key])
            audit.record(session, actor, "route_number", "did", did.id, number=did.number, routing=values["routing"])
    except BaseException:
        try:
            carrier.route_did(reseller.id, number, old)
        except CarrierError as e:
            log.warning("could not put back the routing of %s: %s", number, e)
        raise


def _spec(session: Session, client: Client, route: rt.NumberRoute) -> DidRoutingSpec:
    def target(dest: rt.Dest) -> Target:
        try:
            return gr.target_of(session, client, dest)
        except ValueError:  # a destination deleted under an old routing: nothing
            return NO_TARGET

    return DidRoutingSpec(
        routing=target(route.dest),
        busy=target(route.busy),
        unreachable=target(route.unreachable),
        noanswer=target(route.noanswer),
    )


def diagram(actor: Actor, did_id: object) -> list[dict[str, str]]:
    """The call flow of one number as the rows of a tree (depth, edge, label, kind, note)."""
    with session_scope() as session:
        client, _view = _open(session, actor)
        did = _number(session, client, did_id)
        rows = rt.diagram(gr.load_graph(session, client), gr.number_route(did))
        return [
            {
                "depth": str(r.depth),
                "indent": f"{r.depth * 1.25:.2f}em",
                "edge": r.edge,
                "label": r.label,
                "kind": r.kind,
                "note": r.note,
            }
            for r in rows
        ]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone name falls back to UTC
        return ZoneInfo("UTC")


def simulate(actor: Actor, did_id: object, day: str, at: str, keys: str = "", caller: str = "") -> dict[str, str]:
    """What happens to a call to one of the client's numbers at a date and time (the client's time zone) with these
    key presses: the path when someone answers, and where it ends when nobody does."""
    errors: dict[str, str] = {}
    when_day: date | None = None
    when_time: time | None = None
    try:
        when_day = date.fromisoformat((day or "").strip())
    except ValueError:
        errors["day"] = _("Enter a date as YYYY-MM-DD.")
    try:
        when_time = time.fromisoformat((at or "").strip())
    except ValueError:
        errors["at"] = _("Enter a time as HH:MM.")
    pressed = re.sub(r"[\s,]", "", keys or "")
    if pressed and not re.fullmatch(r"[0-9*#]+", pressed):
        errors["keys"] = _("Use only the keys 0-9, * and #.")
    elif len(pressed) > MAX_KEYS:
        errors["keys"] = _("Press at most {n} keys.").format(n=MAX_KEYS)
    caller_digits = re.sub(r"[\s\-().+]", "", caller or "")
    if caller_digits and caller_digits.lower() != "anonymous" and not re.fullmatch(r"\d{3,15}", caller_digits):
        errors["caller"] = _("Enter the caller's number (digits), or leave it empty for an anonymous caller.")
    with session_scope() as session:
        client, _view = _open(session, actor)
        did = _number(session, client, did_id)
        if errors:
            raise ValidationFailed(errors)
        assert when_day is not None and when_time is not None
        when = datetime.combine(when_day, when_time, tzinfo=_zone(client.timezone))
        graph = gr.load_graph(session, client)
        route = gr.number_route(did)
        who = "" if caller_digits.lower() == "anonymous" else caller_digits
        answered = rt.walk(graph, route, when, pressed, caller=who, outcome="answer")
        unanswered = rt.walk(graph, route, when, pressed, caller=who, outcome="noanswer")
        return {
            "when": f"{format_date(when, 'EEEE', locale=i18n.locale_of())} {when:%Y-%m-%d %H:%M} ({client.timezone})",
            "path": answered.path,
            "ended": answered.ended,
            "rang": ", ".join(answered.rang),
            "unanswered_path": unanswered.path,
            "unanswered_ended": unanswered.ended,
            "differs": "1" if unanswered.path != answered.path else "",
        }
