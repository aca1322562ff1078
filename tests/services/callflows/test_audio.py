"""Uploaded recordings: WAV or MP3 by their bytes, size-limited, stored under a random name like branding images."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import CallRecording
from reseller_app.services.callflows import audio, objects
from reseller_app.services.common.errors import ValidationFailed
from tests.services.callflows.conftest import MP3, WAV

REFUSED = {
    "html": b"<!doctype html><script>alert(1)</script>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "ogg": b"OggS" + b"\x00" * 32,
    "riff avi": b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 16,
    "wav with a script": WAV + b"<script>alert(1)</script>",
    "mp3 with html": MP3 + b"<html><body>",
    "id3 too short": b"ID3",
    "bad frame sync": b"\xff\xfb\xf0\x00" + b"\x00" * 8,
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_is_not_clean_wav_or_mp3_is_refused_beside_the_file_field(pbx, tmp_path, name):
    with pytest.raises(ValidationFailed) as e:
        objects.save_recording(pbx["actor"], "Greeting", REFUSED[name], tmp_path)
    assert e.value.errors["file"] == "Upload a WAV or MP3 file."
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []
    assert pbx["carrier"].flows(pbx["rid"], "recording") == []


def test_size_and_emptiness(pbx, tmp_path):
    for data, message in ((b"", "The file is empty."), (WAV + b"\x00" * audio.MAX_AUDIO_BYTES, "larger than 5 MB")):
        with pytest.raises(ValidationFailed) as e:
            objects.save_recording(pbx["actor"], "Big", data, tmp_path)
        assert message in e.value.errors["file"]


def test_wav_and_mp3_are_stored_under_a_random_name_and_renaming_keeps_the_file(pbx, tmp_path):
    a = pbx["actor"]
    wav = objects.save_recording(a, "Welcome", WAV, tmp_path)
    mp3 = objects.save_recording(a, "Hold music", MP3, tmp_path)
    with session_scope() as s:
        rows = {r.id: r for r in s.exec(select(CallRecording)).all()}
    assert rows[wav].file.endswith(".wav") and rows[mp3].file.endswith(".mp3")
    assert (rows[wav].audio_format, rows[mp3].audio_format) == ("wav", "mp3")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(r.file.removeprefix("/_upload/") for r in rows.values())
    assert (tmp_path / rows[wav].file.removeprefix("/_upload/")).read_bytes() == WAV
    objects.save_recording(a, "Welcome (new)", None, tmp_path, wav)
    with session_scope() as s:
        renamed = s.get(CallRecording, wav)
    assert renamed.name == "Welcome (new)" and renamed.file == rows[wav].file
    # A new file replaces the old one on disk.
    objects.save_recording(a, "Welcome (new)", MP3, tmp_path, wav)
    with session_scope() as s:
        replaced = s.get(CallRecording, wav)
    assert replaced.file != rows[wav].file and not (tmp_path / rows[wav].file.removeprefix("/_upload/")).exists()
    kept = {f["name"]: f for f in pbx["carrier"].flows(pbx["rid"], "recording")}
    assert set(kept) == {"Welcome (new)", "Hold music"} and kept["Hold music"]["size"] == len(MP3)
    with pytest.raises(ValidationFailed) as e:
        objects.save_recording(a, "Hold music", WAV, tmp_path)
    assert "name" in e.value.errors


def test_an_outside_path_is_never_read_or_removed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    assert audio.read_audio("/_upload/../secret.txt", tmp_path) is None
    audio.remove_audio("/_upload/../secret.txt", tmp_path / "uploads")
    assert outside.exists()
