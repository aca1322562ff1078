"""The client's phone system in French and Spanish: simulator, diagram, refusals and tabs (issue 21).

The sandbox's invented calls keep their path in English whatever language is current (the call record is data).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from reseller_app import i18n
from reseller_app.carrier.traffic import TrafficMix, make_calls
from reseller_app.services.callflows import numbers, objects
from reseller_app.services.callflows.traffic import inbound_router
from reseller_app.services.common.errors import ValidationFailed
from tests.services.callflows.test_callflows import build


def test_the_simulator_and_the_diagram_speak_french(pbx):
    build(pbx)
    a = pbx["actor"]
    with i18n.use_language("fr_CA"):
        sim = numbers.simulate(a, pbx["did"], "2026-12-02", "10:30", "2")
        rows = numbers.diagram(a, pbx["did"])
    assert sim["path"] == (
        "Condition horaire Business hours (ouvert) → Menu vocal Main → 2 → Groupe de sonnerie Sales → 100001_alice"
    )
    assert sim["ended"] == "répondu"
    assert sim["unanswered_path"].endswith("Groupe de sonnerie Sales → pas de réponse → Boîte vocale 200 (Sales)")
    assert sim["unanswered_ended"] == "boîte vocale"
    assert sim["when"].startswith("mercredi 2026-12-02 10:30 (America/Montreal)")
    drawn = {(r["depth"], r["edge"], r["label"]): r["note"] for r in rows}
    assert rows[0]["label"].startswith("Numéro +1")
    assert drawn[("1", "appels", "Condition horaire Business hours")] == "lun–ven 09:00–17:00; fermé 1 jour férié"
    assert drawn[("2", "ouvert", "Menu vocal Main")] == "attend une touche 5 s"
    assert ("1", "occupé", "Boîte vocale 200 (Sales)") in drawn


def test_refusals_and_tabs_speak_spanish(pbx):
    made = build(pbx)
    a = pbx["actor"]
    with i18n.use_language("es_MX"):
        with pytest.raises(ValidationFailed) as e:
            objects.delete(a, "grp", made["grp"])
        assert e.value.errors["form"] == "Todavía lo usa IVR Main (opción 2). Cámbialos primero."
        with pytest.raises(ValidationFailed) as e:
            objects.save(a, "grp", {"name": "", "member_1": "sys:nowhere"})
        assert e.value.errors == {"name": "Obligatorio.", "member_1": "Elige un destino de la lista."}
        with pytest.raises(ValidationFailed) as e:
            numbers.simulate(a, pbx["did"], "2026-12-02", "25:00", "12x")
        assert e.value.errors == {"at": "Escribe una hora como HH:MM.", "keys": "Usa solo las teclas 0-9, * y #."}
        seen = objects.overview(a)
    assert seen["titles"]["grp"] == "Grupos de timbrado"
    assert seen["rows"]["tc"][0]["detail"].startswith("lun–vie 09:00–17:00 · abierto → IVR Main")
    assert {"value": "sys:hangup", "label": "Colgar"} in seen["choices"]["dests"]


def test_english_is_unchanged(pbx):
    made = build(pbx)
    with pytest.raises(ValidationFailed) as e:
        objects.delete(pbx["actor"], "grp", made["grp"])
    assert e.value.errors["form"] == "Still in use by IVR Main (option 2). Change those first."
    assert objects.overview(pbx["actor"])["titles"]["grp"] == "Ring groups"


def test_the_sandbox_call_records_keep_their_path_in_english(pbx):
    build(pbx)
    router = inbound_router(pbx["rid"])
    wednesday_open = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    mix = TrafficMix(inbound=1, canada=0, usa=0, international=0)
    with i18n.use_language("fr_CA"):
        calls = make_calls(pbx["rid"], 20, mix=mix, rng=random.Random(7), now=wednesday_open, route_inbound=router)
    paths = {c.path for c in calls if c.did == pbx["number"]}
    assert paths and all(p.startswith("Time condition Business hours (open) → IVR Main") for p in paths)
