"""What several pages of client's accounts show alike."""

from __future__ import annotations

import reflex as rx


def status_badge(status: rx.Var) -> rx.Component:
    """ACTIVE green, WAIT orange, SUSPENDED red."""
    return rx.match(
        status,
        ("ACTIVE", rx.badge("ACTIVE", color_scheme="green")),
        ("WAIT", rx.badge("WAIT", color_scheme="orange")),
        ("SUSPENDED", rx.badge("SUSPENDED", color_scheme="red")),
        rx.badge(status),
    )
