"""The streamed CSV export of the reseller's reports (assets/report_export.js): the button's call, the reset
when the report changes, and the progress box the script fills in.

The export runs in the browser: a compiled function call, so no script text is ever evaluated (the CSP has no
'unsafe-eval'). The server streams the file in flat memory (api/report_export.py); the script counts its lines
against the X-Total-Rows header to move the progress bar.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.function import ArgsFunctionOperation, FunctionStringVar


def export_call(url: rx.Var[str]) -> rx.event.EventSpec:
    """Start the streamed download of `url` (a `/api/reports/<kind>.csv?...` address of the current filters)."""
    return rx.call_function(ArgsFunctionOperation.create((), FunctionStringVar.create("window.portalExport").call(url)))


def export_button(url: rx.Var[str], elem_id: str, **props: object) -> rx.Component:
    """ "Export CSV": streams `url` (see export_call) into a download, with the page's export_progress()."""
    return rx.button(rx.icon("download", size=14), "Export CSV", on_click=export_call(url), id=elem_id, **props)


def export_reset() -> rx.event.EventSpec:
    """Hide the last export's progress (it belongs to the report it came from)."""
    return rx.call_function(
        ArgsFunctionOperation.create((), FunctionStringVar.create("window.portalExportReset").call())
    )


def export_progress() -> rx.Component:
    """The script and the progress box it fills in; hidden until an export starts (one per page)."""
    return rx.flex(
        rx.script(src="/report_export.js"),
        rx.el.progress(id="export-progress", max=100, style={"width": "240px", "height": "10px"}),
        rx.text("", id="export-status", size="2", color="gray"),
        id="export-box",
        gap="0.75em",
        align="center",
        style={"display": "none"},
    )
