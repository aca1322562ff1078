"""The wizard's "Profit simulator" tab: the draft against the saved package on real or uploaded calls."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.catalog.simulator import SimulatorTab as S


def _sim_card(title: str, key: str) -> rx.Component:
    r = S.result
    return rx.card(
        rx.text(title, weight="bold", size="2"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Revenue"), rx.data_list.value(r[f"{key}_revenue"])),
            rx.data_list.item(rx.data_list.label("Carrier cost"), rx.data_list.value(r[f"{key}_cost"])),
            rx.data_list.item(
                rx.data_list.label("Profit"), rx.data_list.value(r[f"{key}_profit"], id=f"sim-{key}-profit")
            ),
        ),
        min_width="240px",
        flex="1",
    )


def simulator_tab() -> rx.Component:
    """Re-rate real calls (or an uploaded CDR file) under the draft and compare with the saved package."""
    return rx.vstack(
        rx.text(
            "Re-rate real calls under this draft (the values in the tabs, saved or not) and compare with the saved "
            "package, using the billing engine's own rating code.",
            size="2",
        ),
        rx.flex(
            rx.text("Last", size="2"),
            rx.input(value=S.days, on_change=S.set_days, width="70px", id="sim-days"),
            rx.text("days of the clients on this package", size="2"),
            rx.button("Simulate", on_click=S.simulate_recent, loading=S.running, id="sim-run"),
            rx.upload(
                rx.button(rx.icon("upload", size=14), "…or upload a CDR file", variant="soft"),
                id="sim-csv",
                multiple=False,
                max_files=1,
                no_drag=True,
                border="none",
                padding="0",
                on_drop=S.simulate_upload(rx.upload_files(upload_id="sim-csv")),
            ),
            gap="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            "CDR file columns: call_id,start,direction,account,caller,destination,duration,disposition,onnet",
            size="1",
            color="gray",
        ),
        rx.cond(
            S.running | (S.progress > 0),
            rx.vstack(
                rx.progress(value=S.progress, max=100, width="100%", max_width="480px"),
                rx.text(S.status, size="1", color="gray"),
                width="100%",
            ),
        ),
        rx.cond(
            S.error != "",
            rx.callout(rx.text(S.error, white_space="pre-line"), color_scheme="red", size="1"),
        ),
        rx.cond(
            S.result.contains("calls"),
            rx.vstack(
                rx.text(S.result["source"], size="2", color="gray"),
                rx.flex(_sim_card("Current package", "current"), _sim_card("Draft", "draft"), gap="3", wrap="wrap"),
                rx.text(
                    "Profit change: ",
                    rx.text(
                        S.result["difference"],
                        as_="span",
                        weight="bold",
                        color=rx.match(S.result["difference_sign"], ("up", "green"), ("down", "red"), "gray"),
                        id="sim-difference",
                    ),
                    size="3",
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
