"""The welcome text's editing surface: Quill 2 (react-quill-new, a maintained React wrapper) as a Reflex component.

What it writes still goes through nh3 on the server (services/settings/configuration.sanitize_welcome): the editor is
a convenience, never a trust boundary. Its output is Quill's semantic HTML (<h2>, <ul><li>, <strong>, <a href>,
<span style="color: …; font-size: …">), with sizes and fonts as inline styles (registered below) because nh3 drops
classes. It renders in the browser only (Quill needs the DOM), and no script text is ever evaluated (CSP without
'unsafe-eval').
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.utils.imports import ImportDict

from reseller_app.components.layout import RICH_TEXT_STYLE

# The choices of the toolbar: what the old composer offered, now applied to a selection.
FONTS = ["Arial", "Georgia", "Helvetica", "Tahoma", "Times New Roman", "Trebuchet MS", "Verdana"]
SIZES = ["12px", "14px", "16px", "18px", "24px", "32px"]
TOOLBAR = [
    [{"header": [1, 2, 3, False]}],
    [{"font": [False, *FONTS]}, {"size": [False, *SIZES]}],
    ["bold", "italic", "underline"],
    [{"color": []}],
    [{"list": "ordered"}, {"list": "bullet"}],
    ["link"],
    ["clean"],
]
FORMATS = ["header", "font", "size", "bold", "italic", "underline", "color", "list", "link", "image"]

# Quill keeps sizes and fonts as classes by default; as inline styles they survive nh3's attribute filter.
_REGISTER = (
    "(Q) => {"
    " const size = Q.import('attributors/style/size'); size.whitelist = " + json.dumps(SIZES) + ";"
    " Q.register(size, true);"
    " const font = Q.import('attributors/style/font'); font.whitelist = " + json.dumps(FONTS) + ";"
    " Q.register(font, true); }"
)

# The snow theme names only its own sizes and fonts in the pickers; these say ours.
_PICKER_LABELS = {
    **{
        f"& .ql-picker.ql-size .ql-picker-item[data-value='{s}']::before, "
        f"& .ql-picker.ql-size .ql-picker-label[data-value='{s}']::before": {"content": f"'{s}'"}
        for s in SIZES
    },
    **{
        f"& .ql-picker.ql-font .ql-picker-item[data-value='{f}']::before, "
        f"& .ql-picker.ql-font .ql-picker-label[data-value='{f}']::before": {"content": f"'{f}'", "font_family": f}
        for f in FONTS
    },
    "& .ql-picker.ql-font": {"width": "130px"},
    "& .ql-editor": {"min_height": "160px", "font_size": "15px"},
    # What is typed looks as the dashboard will show it (the page's CSS reset would flatten headings and lists).
    # (Lists keep Quill's own markers: its lists are <ol> with a data-list kind while editing.)
    **{
        f"& .ql-editor {tag[2:]}": style
        for tag, style in RICH_TEXT_STYLE.items()
        if tag.startswith("& ") and tag[2:] not in ("ul", "ol")
    },
    "& .ql-toolbar": {"border_radius": "6px 6px 0 0", "background": "#f9fafb"},
    "& .ql-container": {"border_radius": "0 0 6px 6px", "background": "white"},
}


class QuillEditor(rx.NoSSRComponent):
    """react-quill-new's ReactQuill, uncontrolled: it starts from `default_value` and reports every change."""

    library = "react-quill-new@3.8.3"
    tag = "ReactQuill"
    is_default = True

    default_value: rx.Var[str]
    theme: rx.Var[str]
    modules: rx.Var[dict]
    formats: rx.Var[list[str]]
    placeholder: rx.Var[str]

    # onChange(value, delta, source, editor): the page keeps the semantic HTML (the first argument).
    on_change: rx.EventHandler[rx.event.passthrough_event_spec(str)]

    def add_imports(self) -> ImportDict:
        """The snow theme's stylesheet."""
        return {"": "react-quill-new/dist/quill.snow.css"}

    def _get_dynamic_imports(self) -> str:
        # Loaded in the browser only; the style attributors are registered once, before the first editor mounts.
        return (
            f"const {self.tag} = ClientSide(() => import('react-quill-new')"
            f".then((mod) => {{ ({_REGISTER})(mod.Quill); return mod.default.default ?? mod.default; }}), "
            f"{json.dumps(self.tag)})"
        )


def rich_text_editor(value: rx.Var, on_change: rx.EventHandler, key: rx.Var, **props: object) -> rx.Component:
    """A rich-text editor of `value` (HTML). It is not controlled by `value` while one types (each keystroke would
    come back late and move the cursor): a new `key` makes it start again from `value` (a load, an inserted image).
    """
    return rx.box(
        QuillEditor.create(
            default_value=value,
            theme="snow",
            modules={"toolbar": TOOLBAR},
            formats=FORMATS,
            placeholder="Write the welcome text your clients see on their dashboard…",
            on_change=on_change,
            key=key,
        ),
        style=_PICKER_LABELS,
        width="100%",
        **props,
    )
