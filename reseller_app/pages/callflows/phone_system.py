"""The client's Phone system page: a tab per building block (time conditions, IVR menus, ring groups, ...)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.pages.callflows.parts import brand_tab, err, field, fixed_select, options_select, row, text_input
from reseller_app.pages.portal.parts import empty, refused, scroll
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.callflows import routing as rt
from reseller_app.state.callflows.phone_system import PhoneSystemState as PS  # noqa: N814 - short alias for the page
from reseller_app.state.i18n import t, t_format
from reseller_app.state.portal.shell import PortalState

V = PS.values
C = PS.choices
# The labels are vars (the tab's language); the day names are marked in routing.DAY_NAMES.
DAYS = [(d, t(rt.DAY_NAMES[d])) for d in rt.DAYS]
LANGUAGES = [("en", t("English")), ("fr", t("French")), ("es", t("Spanish"))]
UPLOAD_ID = "recording-upload"


def _text(label: rx.Var, key: str, **props: object) -> rx.Component:
    return field(label, text_input(V, key, **props), PS.errors, key)


def _pick(label: rx.Var, key: str, options: rx.Var, blank: str | rx.Var = "") -> rx.Component:
    return field(label, options_select(V, key, options, blank), PS.errors, key)


def _fixed(label: rx.Var, key: str, options: list[tuple[str, str | rx.Var]]) -> rx.Component:
    return field(label, fixed_select(V, key, options), PS.errors, key)


def _members(dest_options: rx.Var, *, agents: bool = False) -> rx.Component:
    prefix, extra, extra_label = ("agent", "priority", t("Priority")) if agents else ("member", "ring", t("Ring (s)"))
    return rx.vstack(
        rx.text(t("Agents") if agents else t("Members"), size="2", weight="medium"),
        *[
            row(
                field(f"{i}.", options_select(V, f"{prefix}_{i}", dest_options, "—"), PS.errors, f"{prefix}_{i}"),
                field(extra_label, text_input(V, f"{extra}_{i}"), PS.errors, f"{extra}_{i}", flex="0 0 90px"),
            )
            for i in range(1, callflows.MAX_MEMBERS + 1)
        ],
        err(PS.errors, f"{prefix}s"),
        spacing="1",
        width="100%",
    )


def _tc_form() -> rx.Component:
    rules = [
        row(
            _fixed(t_format("Rule {n}: from", n=str(i)), f"rule_{i}_from", [("", "—"), *DAYS]),
            _fixed(t("to"), f"rule_{i}_to", [("", "—"), *DAYS]),
            _text(t("opens"), f"rule_{i}_start", placeholder="09:00"),
            _text(t("closes"), f"rule_{i}_end", placeholder="17:00"),
        )
        for i in range(1, callflows.MAX_RULES + 1)
    ]
    return rx.vstack(
        row(_text(t("Name"), "name")),
        rx.text(
            t("Open hours, in your time zone (a rule's days from first to last, times from opening to closing)."),
            size="1",
            color="gray",
        ),
        *rules,
        err(PS.errors, "rules"),
        field(
            t("Holidays (closed all day), one date per line: YYYY-MM-DD"),
            rx.text_area(name="holidays", id="f-holidays", default_value=V["holidays"], rows="3", width="100%"),
            PS.errors,
            "holidays",
        ),
        row(
            _pick(t("When open, calls go to"), "match", C["dests"], "—"),
            _pick(t("When closed, calls go to"), "nomatch", C["dests"], "—"),
        ),
        spacing="2",
        width="100%",
    )


def _ivr_form() -> rx.Component:
    keys = [
        field(
            t_format("Key {key}", key=key), options_select(V, name, C["dests"], "—"), PS.errors, name, min_width="170px"
        )
        for key, name in callflows.KEY_FIELD.items()
    ]
    return rx.vstack(
        row(
            _text(t("Name"), "name"),
            _pick(t("Greeting"), "recording_id", C["recordings"], t("No greeting")),
            _text(t("Wait for a key (s)"), "timeout"),
            _fixed(t("Language"), "language", LANGUAGES),
        ),
        rx.text(t("What each key does (leave a key empty when it does nothing):"), size="2", weight="medium"),
        rx.grid(*keys, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="2", width="100%"),
        err(PS.errors, "choices"),
        row(
            _pick(t("No key pressed"), "timeout_dest", C["dests"], t("— hang up")),
            _pick(t("A key with nothing on it"), "invalid_dest", C["dests"], t("— hang up")),
        ),
        spacing="2",
        width="100%",
    )


def _grp_form() -> rx.Component:
    return rx.vstack(
        row(_text(t("Name"), "name"), _fixed(t("Language"), "language", LANGUAGES)),
        rx.text(t("Every member rings at once."), size="1", color="gray"),
        _members(C["members"]),
        row(
            _pick(t("When nobody answers: voicemail"), "voicemail_id", C["voicemails"], t("No voicemail")),
            _pick(t("Music on hold"), "music_on_hold_id", C["moh"], t("Default")),
        ),
        spacing="2",
        width="100%",
    )


def _hunt_form() -> rx.Component:
    return rx.vstack(
        row(
            _text(t("Name"), "name"),
            _fixed(t("Ring the members"), "order", [("follow", t("In order")), ("random", t("In random order"))]),
            _fixed(t("Language"), "language", LANGUAGES),
        ),
        _members(C["members"]),
        row(
            _pick(t("Announcement"), "recording_id", C["recordings"], t("None")),
            _pick(t("Music on hold"), "music_on_hold_id", C["moh"], t("Default")),
        ),
        spacing="2",
        width="100%",
    )


def _queue_form() -> rx.Component:
    strategies = [
        ("ringall", t("Ring all agents")),
        ("leastrecent", t("Least recently called")),
        ("fewestcalls", t("Fewest calls")),
        ("random", t("Random")),
        ("rrmemory", t("Round robin")),
    ]
    empty_rules = [("yes", t("Yes")), ("no", t("No")), ("strict", t("Strict"))]
    return rx.vstack(
        row(
            _text(t("Name"), "name"),
            _text(t("Queue number"), "number"),
            _fixed(t("Ring strategy"), "strategy", strategies),
        ),
        row(
            _text(t("Maximum wait (s, multiple of 30; 0 = no limit)"), "max_wait"),
            _pick(t("After the maximum wait, calls go to"), "failover", C["dests"], t("— hang up")),
        ),
        row(
            _pick(t("Music on hold"), "music_on_hold_id", C["moh"], t("Default")),
            _fixed(t("Join when empty"), "join_when_empty", empty_rules),
            _fixed(t("Leave when empty"), "leave_when_empty", empty_rules),
            _fixed(t("Language"), "language", LANGUAGES),
        ),
        _members(C["agents"], agents=True),
        spacing="2",
        width="100%",
    )


def _conf_form() -> rx.Component:
    return row(
        _text(t("Name"), "name"),
        _text(t("Description"), "description"),
        _text(t("PIN (digits, optional)"), "pin", type="password"),
        _text(t("Members at most (0 = no limit)"), "max_members"),
    )


def _cb_form() -> rx.Component:
    return row(
        _text(t("Name"), "name"),
        _text(t("Call back on (number)"), "number"),
        _text(t("Delay before calling back (s)"), "delay_before"),
        _text(t("Answer timeout (s)"), "response_timeout"),
        _text(t("Timeout between digits (s)"), "digit_timeout"),
        _text(t("Caller ID shown (optional)"), "callerid_number"),
    )


def _disa_form() -> rx.Component:
    return row(
        _text(t("Name"), "name"),
        _text(t("PIN (digits)"), "pin", type="password"),
        _text(t("Timeout between digits (s)"), "digit_timeout"),
        _text(t("Caller ID shown (optional)"), "callerid_override"),
        _fixed(t("Language"), "language", LANGUAGES),
    )


def _filter_form() -> rx.Component:
    return rx.vstack(
        row(
            _text(t("Name"), "name"),
            _fixed(t("List"), "mode", [("block", t("Block these callers")), ("allow", t("Allow only these callers"))]),
            field(
                t("For calls to"),
                options_select(V, "did_id", C["numbers"], t("All my numbers")),
                PS.errors,
                "did_id",
            ),
        ),
        field(
            t("Caller IDs, one per line: a number, a prefix ending in * (1900*), or anonymous"),
            rx.text_area(name="entries", id="f-entries", default_value=V["entries"], rows="4", width="100%"),
            PS.errors,
            "entries",
        ),
        row(_pick(t("Filtered calls go to"), "dest", C["dests"], "—")),
        spacing="2",
        width="100%",
    )


def _moh_form() -> rx.Component:
    ticks = rx.foreach(
        C["recordings"],
        lambda r: rx.checkbox(
            r["label"],
            checked=PS.moh_picked.contains(r["value"]),
            on_change=lambda on: PS.toggle_recording(r["value"], on),
        ),
    )
    return rx.vstack(
        row(
            _text(t("Name"), "name"),
            _fixed(t("Play"), "sort", [("alpha", t("In order")), ("random", t("At random"))]),
            field(
                t("Quiet volume"),
                rx.el.select(
                    rx.el.option(t("No"), value=""),
                    rx.el.option(t("Yes"), value="1"),
                    name="quiet",
                    default_value=V["quiet"],
                ),
                PS.errors,
                "quiet",
            ),
        ),
        rx.text(t("Recordings:"), size="2", weight="medium"),
        rx.cond(
            C["recordings"].length() > 0, rx.flex(ticks, gap="1em", wrap="wrap"), empty(t("Upload a recording first."))
        ),
        err(PS.errors, "recordings"),
        spacing="2",
        width="100%",
    )


def _phonebook_form() -> rx.Component:
    return row(
        _text(t("Name"), "name"),
        _text(t("Number (or sip:extension)"), "number"),
        _text(t("Speed dial"), "speed_dial"),
        _text(t("Caller ID when dialled (optional)"), "callerid"),
        _text(t("Group"), "group"),
        _text(t("Note"), "note"),
    )


def _recording_form() -> rx.Component:
    rename = row(_text(t("Name"), "name"))
    upload = rx.vstack(
        row(
            field(
                t("Name"),
                rx.input(
                    value=V["name"],
                    on_change=lambda v: PS.set_value("name", v),
                    name="name",
                    id="f-name",
                    size="2",
                    width="100%",
                ),
                PS.errors,
                "name",
            ),
        ),
        rx.upload.root(
            rx.hstack(rx.icon("upload", size=14), rx.text(t("Choose a WAV or MP3 file (max 5 MB)"), size="1")),
            id=UPLOAD_ID,
            multiple=False,
            max_files=1,
            border="1px dashed #9ca3af",
            border_radius="6px",
            padding="0.75em",
            cursor="pointer",
            width="100%",
        ),
        rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="1", id="chosen-file")),
        err(PS.errors, "file"),
        client_button(
            t("Upload"),
            "success",
            type="button",
            on_click=PS.upload_recording(rx.upload_files(upload_id=UPLOAD_ID)),
            id="upload-recording",
        ),
        spacing="2",
        width="100%",
    )
    return rx.cond(PS.editing != "", rename, upload)


FORMS = {
    "tc": _tc_form,
    "ivr": _ivr_form,
    "grp": _grp_form,
    "hunt": _hunt_form,
    "queue": _queue_form,
    "conf": _conf_form,
    "cb": _cb_form,
    "disa": _disa_form,
    "filter": _filter_form,
    "moh": _moh_form,
    "phonebook": _phonebook_form,
    "recording": _recording_form,
}


def _form() -> rx.Component:
    buttons = rx.hstack(
        rx.cond(
            (PS.tab != "recording") | (PS.editing != ""),
            client_button(t("Save"), "success", type="submit", id="save-object"),
        ),
        client_button(t("Cancel"), "exit", type="button", on_click=PS.cancel, id="cancel-object"),
        margin_top="0.75em",
    )
    return rx.form(
        rx.match(PS.tab, *[(kind, build()) for kind, build in FORMS.items()], rx.fragment()),
        err(PS.errors, "form"),
        buttons,
        on_submit=PS.save,
        reset_on_submit=False,
        key=PS.form_key,
        id="object-form",
        width="100%",
    )


def _list() -> rx.Component:
    rows = PS.rows[PS.tab]

    def line(r: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(r["name"], weight="medium")),
            rx.table.cell(
                rx.vstack(
                    rx.text(r["detail"], size="1"),
                    rx.cond(PS.tab == "recording", rx.el.audio(src=r["file"], controls=True, preload="none")),
                    spacing="1",
                ),
                white_space="normal",
            ),
            rx.table.cell(
                rx.hstack(
                    client_button(t("Edit"), size="1", on_click=PS.edit(r["id"]), id="edit-" + r["name"]),
                    client_button(
                        t("Delete"), "delete", size="1", on_click=PS.delete(r["id"]), id="delete-" + r["name"]
                    ),
                    spacing="2",
                )
            ),
        )

    return rx.cond(
        rows.length() > 0,
        scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("Name")),
                        rx.table.column_header_cell(t("What it does")),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(rows, line)),
                size="1",
                width="100%",
                id="object-list",
            )
        ),
        empty(t("Nothing here yet.")),
    )


def phone_system() -> rx.Component:
    """The building blocks the client's package or reseller shows, one tab each."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Phone system"), size="6"),
            rx.cond(
                PortalState.page_refused | PS.refused,
                refused(),
                rx.vstack(
                    rx.flex(
                        rx.foreach(
                            PS.kinds,
                            lambda k: brand_tab(PS.titles[k], PS.tab == k, on_click=PS.set_tab(k), id="tab-" + k),
                        ),
                        gap="0.5em",
                        wrap="wrap",
                        id="phone-tabs",
                    ),
                    rx.cond(
                        PS.message != "", rx.callout(PS.message, icon="check", color_scheme="green", id="ps-message")
                    ),
                    client_panel(
                        PS.titles[PS.tab],
                        _list(),
                        rx.cond(
                            PS.form_open,
                            rx.box(_form(), margin_top="1em", id="object-editor"),
                            client_button(t("New"), on_click=PS.new, id="new-object", margin_top="1em"),
                        ),
                        rx.cond(~PS.form_open, err(PS.errors, "form")),
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
