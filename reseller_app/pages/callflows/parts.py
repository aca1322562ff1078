"""Pieces the two call-flow pages draw alike: labelled fields with their message, lists of options, tabs."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.forms import field_error
from reseller_app.pages.portal.parts import SELECT_STYLE
from reseller_app.state.portal.shell import PortalState

ERROR_COLOR = "#b91c1c"
# As narrow as a field may be (150 px): two side by side still fit a phone's 390 px.
WIDE_SELECT = {**SELECT_STYLE, "width": "100%", "min_width": "150px"}


def err(errors: rx.Var, key: str) -> rx.Component:
    """The message beside a field."""
    return field_error(errors, key, color=ERROR_COLOR)


def field(label: str | rx.Var, control: rx.Component, errors: rx.Var, key: str, **props: object) -> rx.Component:
    """A label above a control, and the field's message under it."""
    return rx.vstack(
        rx.text(label, size="1", weight="medium", as_="label", html_for=f"f-{key}"),
        control,
        err(errors, key),
        spacing="1",
        min_width=props.pop("min_width", "150px"),
        flex=props.pop("flex", "1"),
        **props,
    )


def text_input(values: rx.Var, key: str, **props: object) -> rx.Component:
    """A text box named `key`, filled with the form's value."""
    return rx.input(name=key, id=f"f-{key}", default_value=values[key], size="2", width="100%", **props)


def options_select(values: rx.Var, key: str, options: rx.Var, blank: str | rx.Var = "") -> rx.Component:
    """A list of options ({"value", "label"}) named `key`; `blank` adds an empty first choice."""
    first = [rx.el.option(blank, value="")] if isinstance(blank, rx.Var) or blank else []
    return rx.el.select(
        *first,
        rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"])),
        name=key,
        id=f"f-{key}",
        default_value=values[key],
        style=WIDE_SELECT,
    )


def fixed_select(values: rx.Var, key: str, options: list[tuple[str, str | rx.Var]]) -> rx.Component:
    """A list of fixed options ((value, label)) named `key`."""
    return rx.el.select(
        *[rx.el.option(label, value=value) for value, label in options],
        name=key,
        id=f"f-{key}",
        default_value=values[key],
        style=WIDE_SELECT,
    )


def row(*children: rx.Component) -> rx.Component:
    """Fields side by side, wrapping on a narrow screen."""
    return rx.flex(*children, gap="0.75em", wrap="wrap", width="100%", align="start")


def brand_tab(label: rx.Var | str, active: rx.Var, **props: object) -> rx.Component:
    """A tab in the reseller's primary colours when active."""
    return rx.button(
        label,
        size="1",
        variant="surface",
        background=rx.cond(active, PortalState.brand["btn_primary_bg"], "transparent"),
        color=rx.cond(active, PortalState.brand["btn_primary_fg"], "inherit"),
        **props,
    )
