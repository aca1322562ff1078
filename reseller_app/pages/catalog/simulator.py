"""The wizard's "Profit simulator" tab: the draft against the saved package on real or uploaded calls and texts."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.catalog.simulator import SimulatorTab as S

MESSAGE_LINES = (
    ("sms_out", "SMS sent"),
    ("sms_in", "SMS received"),
    ("mms_out", "MMS sent"),
    ("mms_in", "MMS received"),
)


def _sim_card(title: str, key: str, prefix: str = "") -> rx.Component:
    r = S.result
    dom = f"sim-{prefix.replace('_', '-')}{key}-profit"
    return rx.card(
        rx.text(title, weight="bold", size="2"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Revenue"), rx.data_list.value(r[f"{prefix}{key}_revenue"])),
            rx.data_list.item(rx.data_list.label("Carrier cost"), rx.data_list.value(r[f"{prefix}{key}_cost"])),
            rx.data_list.item(rx.data_list.label("Profit"), rx.data_list.value(r[f"{prefix}{key}_profit"], id=dom)),
        ),
        min_width="240px",
        flex="1",
    )


def _comparison(prefix: str) -> rx.Component:
    """The saved package's and the draft's cards and the change in profit (calls: no prefix; messages: msg_)."""
    r = S.result
    return rx.vstack(
        rx.flex(
            _sim_card("Current package", "current", prefix),
            _sim_card("Draft", "draft", prefix),
            spacing="3",
            wrap="wrap",
        ),
        rx.text(
            "Profit change: ",
            rx.text(
                r[f"{prefix}difference"],
                as_="span",
                weight="bold",
                color=rx.match(r[f"{prefix}difference_sign"], ("up", "green"), ("down", "red"), "gray"),
                id=f"sim-{prefix.replace('_', '-')}difference",
            ),
            size="3",
        ),
        width="100%",
    )


def _message_lines() -> rx.Component:
    """Per kind and direction: how many, and the rate and price under each side."""
    r = S.result
    head = ("", "Messages", "Current rate", "Current price", "Draft rate", "Draft price")
    return rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in head))),
        rx.table.body(
            *(
                rx.table.row(
                    rx.table.row_header_cell(label),
                    rx.table.cell(r[f"msg_{key}_count"]),
                    rx.table.cell(r[f"msg_{key}_current_rate"]),
                    rx.table.cell(r[f"msg_{key}_current"]),
                    rx.table.cell(r[f"msg_{key}_draft_rate"]),
                    rx.table.cell(r[f"msg_{key}_draft"], id=f"sim-msg-{key}-draft"),
                )
                for key, label in MESSAGE_LINES
            )
        ),
        size="1",
        variant="surface",
    )


def _messages_section() -> rx.Component:
    """The text messages re-priced beside the calls; an empty state when there are none."""
    r = S.result
    return rx.vstack(
        rx.heading("Text messages (SMS and MMS)", size="3"),
        rx.text(r["msg_source"], size="2", color="gray"),
        rx.cond(
            r["messages"] == "0",
            rx.callout(
                "No text messages to re-price: none were billed on this package's numbers in this period.",
                icon="message-square",
                color_scheme="gray",
                size="1",
                id="sim-messages-empty",
            ),
            rx.vstack(
                _comparison("msg_"),
                rx.cond(
                    r.contains("msg_charged"),
                    rx.text("Charged at the time: ", r["msg_charged"], size="2", color="gray", id="sim-msg-charged"),
                ),
                _message_lines(),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        id="sim-messages",
    )


def _upload(upload_id: str, label: str, handler: rx.EventHandler) -> rx.Component:
    return rx.upload(
        rx.button(rx.icon("upload", size=14), label, variant="soft"),
        id=upload_id,
        multiple=False,
        max_files=1,
        no_drag=True,
        border="none",
        padding="0",
        on_drop=handler(rx.upload_files(upload_id=upload_id)),
    )


def simulator_tab() -> rx.Component:
    """Re-rate real calls and messages (or an uploaded CDR or messages file) under the draft and compare with the
    saved package."""
    return rx.vstack(
        rx.text(
            "Re-rate real calls and text messages under this draft (the values in the tabs, saved or not) and compare "
            "with the saved package, using the billing engine's own rating code.",
            size="2",
        ),
        rx.flex(
            rx.text("Last", size="2"),
            rx.input(value=S.days, on_change=S.set_days, width="70px", id="sim-days"),
            rx.text("days of the clients on this package", size="2"),
            rx.button("Simulate", on_click=S.simulate_recent, loading=S.running, id="sim-run"),
            _upload("sim-csv", "…or upload a CDR file", S.simulate_upload),
            _upload("sim-msg-csv", "…or a messages file", S.simulate_messages_upload),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            "CDR file columns: call_id,start,direction,account,caller,destination,duration,disposition,onnet. "
            "Messages file columns: message_id,kind (sms/mms),direction (out/in) and parts or text.",
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
                rx.heading("Calls", size="3"),
                rx.text(S.result["source"], size="2", color="gray"),
                _comparison(""),
                width="100%",
                id="sim-calls",
            ),
        ),
        rx.cond(S.result.contains("messages"), _messages_section()),
        spacing="3",
        width="100%",
    )
