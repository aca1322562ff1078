"""The Reflex app: builds `app` and registers pages. Nothing else lives here."""

import reflex as rx


def index() -> rx.Component:
    return rx.text("hello")


app = rx.App()
app.add_page(index, route="/", title="Portal")
