"""Uploaded branding images: polyglots, oversized files and SVG are refused (image magic alone is not enough)."""

from __future__ import annotations

import pytest

from reseller_app.db import session_scope
from reseller_app.models import Reseller
from reseller_app.services.access import auth
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.settings import configuration as config
from reseller_app.state.settings.configuration import ConfigState
from tests.security.states import call, root_state, substate

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
POLYGLOTS = {
    "png with html after IEND": PNG + b"<html><body><script>window.__xss=1</script></body></html>",
    "png with script in a text chunk": PNG[:8] + b"\x00\x00\x00\x20tEXtComment\x00<script>alert(1)</script>" + PNG[8:],
    "png with svg inside": PNG + b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "jpeg with script in a comment": b"\xff\xd8\xff\xfe\x00\x20<SCRIPT>alert(1)</SCRIPT>" + JPEG[2:],
    "jpeg with an iframe": JPEG + b"<iframe src=javascript:alert(1)>",
    "gif/jpeg polyglot": b"\xff\xd8\xff\xe0GIF89a/*" + b"\x00" * 16 + b"*/=1;alert(1)//<script>" + JPEG[2:],
    "webp with doctype": b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 16 + b"<!DOCTYPE html><script>1</script>",
    "png with xml": PNG + b'<?xml version="1.0"?><svg/>',
}
REFUSED = {
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg with bom and whitespace": b'\xef\xbb\xbf  <svg onload="alert(1)"></svg>',
    "gif": b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32,
    "html": b"<!doctype html><script>alert(1)</script>",
    "pdf": b"%PDF-1.4\n<</JS (app.alert(1))>>",
    "png magic only, shortened": b"\x89PNG",
}


@pytest.fixture()
def reseller(engine):
    rid = auth.create_reseller("ra@example.com", "password-123")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
    return auth.resolve(auth.login_reseller("ra@example.com", "password-123"), "reseller")


@pytest.mark.parametrize("name", sorted(POLYGLOTS))
def test_polyglots_are_refused_and_not_written(reseller, tmp_path, name):
    with pytest.raises(ValidationFailed):
        config.store_upload(reseller, "img_login_logo", POLYGLOTS[name], tmp_path)
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_non_images_are_refused(reseller, tmp_path, name):
    with pytest.raises(ValidationFailed):
        config.store_upload(reseller, "img_header", REFUSED[name], tmp_path)


def test_clean_images_still_pass(reseller, tmp_path):
    for data, ext in ((PNG, "png"), (JPEG, "jpg")):
        assert config.store_upload(reseller, "img_header", data, tmp_path).endswith("." + ext)


def test_the_name_and_extension_come_from_the_server_never_the_file(reseller, tmp_path):
    url = config.store_upload(reseller, "img_header", PNG, tmp_path)
    assert url.startswith("/_upload/") and url.endswith(".png") and "evil" not in url
    assert [p.name for p in tmp_path.iterdir()] == [url.removeprefix("/_upload/")]


class _Huge:
    """An upload that would be 50 MB; records how much the handler asked to read."""

    filename = "huge.png"

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        body = PNG + b"\x00" * (50 << 20)
        return body if size < 0 else body[:size]


def test_an_oversized_upload_is_refused_without_reading_it_all(engine, tmp_path, monkeypatch):
    import reflex as rx

    monkeypatch.setattr(rx, "get_upload_dir", lambda: tmp_path)
    rid = auth.create_reseller("ra@example.com", "password-123")
    token = auth.login_reseller("ra@example.com", "password-123")
    root = root_state({}, "/reseller/configuration", {"reseller_token": token})
    state = substate(root, ConfigState)
    call(state, "load")
    huge = _Huge()
    call(state, "upload_login_logo", [huge])
    assert huge.asked and all(0 < n <= config.MAX_UPLOAD_BYTES + 1 for n in huge.asked)
    assert "2 MB" in state.errors["img_login_logo"]
    assert not list(tmp_path.iterdir())
    assert rid


def test_a_polyglot_through_the_upload_handler_shows_an_error_and_leaves_the_draft(engine, tmp_path, monkeypatch):
    import reflex as rx

    class _File:
        filename = "logo.png"

        async def read(self, size: int = -1) -> bytes:
            return POLYGLOTS["png with html after IEND"]

    monkeypatch.setattr(rx, "get_upload_dir", lambda: tmp_path)
    auth.create_reseller("ra@example.com", "password-123")
    root = root_state(
        {}, "/reseller/configuration", {"reseller_token": auth.login_reseller("ra@example.com", "password-123")}
    )
    state = substate(root, ConfigState)
    call(state, "load")
    before = state.form.get("img_login_logo", "")
    call(state, "upload_header", [_File()])
    assert "PNG, JPEG or WebP" in state.errors["img_header"]
    assert state.form.get("img_login_logo", "") == before and not state.form.get("img_header", "").startswith(
        "/_upload/"
    )
