"""Rate lookup: for a package, the destination, route, carrier cost, client price and the rule that priced a number."""

from __future__ import annotations

from reseller_app.billing import rating
from reseller_app.db import session_scope
from reseller_app.models import Reseller
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog import fields
from reseller_app.services.catalog.fields import owned_package
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.telephony.calls import deck_for, package_rules

RULE_LABELS = {
    "area_rate": "Per-area rate",
    "free_zone": "Free zone",
    "markup": "Markup",
    "onnet": "VoIP-to-VoIP (free)",
    "unrated": "No carrier rate",
}


def look_up(actor: Actor, package_id: int | str, number: str) -> dict[str, str]:
    """For this package: destination, route, carrier cost, client price and the rule that priced the number."""
    require_reseller(actor)
    digits = fields.digits(number)
    if not digits or len(digits) > 20:
        raise ValidationFailed({"number": "Type a number in international form, like 442071234567."})
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
        rules = package_rules(session, pkg)
        deck = deck_for(session.get(Reseller, actor.reseller_id))
    q = rating.quote(digits, rules, deck)
    return {
        "number": digits,
        "destination": q.destination_name or "Unknown destination",
        "country": fields.country_name(q.country) if q.country else "—",
        "route": q.route.capitalize(),
        "cost": fmt.rate(q.cost_rate) if q.cost_rate is not None else "—",
        "price": fmt.rate(q.sell_rate) if q.sell_rate is not None else "—",
        "rule": RULE_LABELS.get(q.rule, q.rule),
    }
