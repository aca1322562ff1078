"""Uploaded audio (greetings, announcements, music on hold): WAV or MP3, checked by its bytes, stored like branding.

The file goes under Reflex's upload directory with a random name (`/_upload/<32 hex>.wav|mp3`), never the name the
browser sent; its format comes from its first bytes, and anything carrying markup is refused, as for images.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from reseller_app.i18n import _

MAX_AUDIO_BYTES = 5 * 1024 * 1024
UPLOAD_PREFIX = "/_upload/"
_NAME = re.compile(r"^/_upload/[0-9a-f]{32}\.(wav|mp3)$")
# Markup in an "audio" file makes it a polyglot a browser might sniff as a page (see settings/configuration.py).
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|!doctype|\?xml)|<(?:svg|img)[\s/>]|javascript:",
    re.IGNORECASE,
)
# MPEG audio frame headers: 11 sync bits, then MPEG-1/2/2.5 layer III (the common "mp3").
_MP3_FRAME = re.compile(rb"^\xff[\xe2\xe3\xf2\xf3\xfa\xfb]")


def audio_kind(data: bytes) -> str | None:
    """ "wav" for a RIFF/WAVE file, "mp3" for an ID3-tagged or bare MPEG layer III stream, else None."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if len(data) >= 10 and data[:3] == b"ID3" and data[3] in (2, 3, 4):
        return "mp3"
    if len(data) >= 4 and _MP3_FRAME.match(data) and (data[2] & 0xF0) != 0xF0:
        return "mp3"
    return None


def check_audio(data: bytes) -> tuple[str | None, str]:
    """(format, "") for an acceptable file, else (None, the message to show beside the field)."""
    if not data:
        return None, _("The file is empty.")
    if len(data) > MAX_AUDIO_BYTES:
        return None, _("The file is larger than 5 MB.")
    kind = audio_kind(data)
    if kind is None or _MARKUP.search(data):
        return None, _("Upload a WAV or MP3 file.")
    return kind, ""


def write_audio(data: bytes, kind: str, upload_dir: Path) -> str:
    """Write an accepted file under a random name; returns its URL (`/_upload/<name>`)."""
    name = f"{secrets.token_hex(16)}.{kind}"
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / name).write_bytes(data)
    return UPLOAD_PREFIX + name


def read_audio(url: str, upload_dir: Path) -> bytes | None:
    """The bytes of a stored file, or None (a URL that is not one of ours is never opened)."""
    if not _NAME.match(url or ""):
        return None
    path = upload_dir / url.removeprefix(UPLOAD_PREFIX)
    return path.read_bytes() if path.is_file() else None


def remove_audio(url: str, upload_dir: Path) -> None:
    """Delete a stored file (a URL that is not one of ours is left alone)."""
    if _NAME.match(url or ""):
        (upload_dir / url.removeprefix(UPLOAD_PREFIX)).unlink(missing_ok=True)
