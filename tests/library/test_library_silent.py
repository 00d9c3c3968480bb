"""Silent clips: an entry records ``generate_audio`` and the extra inputs it was sent with, and
the library filters on silent clips (``Filters.silent``); entries older than the switch count
as made with audio."""

from __future__ import annotations

import dataclasses

from library_entries import synthetic_sidecar
from test_library_queries import DAY, T0

from wan_desktop.library import Filters
from wan_desktop.library.ids import new_id


def test_an_entry_records_generate_audio_and_the_extras(lib, make):
    new = make()
    request = new.request.replace(generate_audio=False, extra_params={"camera_style": "drone"})
    entry = lib.add(dataclasses.replace(new, request=request))
    again = lib.get(entry.id)
    assert again.request.generate_audio is False
    assert again.request.extra_params == {"camera_style": "drone"}


def _silent_rows(lib):
    """Three index rows: made with audio, silent, and older than the switch."""
    rows, ids = [], []
    for day, (prompt, sent) in enumerate(
        (("with audio", True), ("silent", False), ("older, no switch recorded", None))
    ):
        entry_id = new_id(T0 + day * DAY)
        data = synthetic_sidecar(entry_id, prompt=prompt)
        if sent is not None:
            data["request"]["generate_audio"] = sent
        rows.append((lib.paths.entry_rel(entry_id), data))
        ids.append(entry_id)
    lib._bulk_insert(rows)
    return ids


def test_the_library_filters_on_silent_clips(lib):
    ids = _silent_rows(lib)
    assert [s.id for s in lib.list(Filters(silent=True))] == [ids[1]]
    assert {s.id for s in lib.list(Filters(silent=False))} == {ids[0], ids[2]}
    assert lib.count(filters=Filters(silent=True)) == 1
    assert [s.id for s in lib.search("silent", Filters(silent=True))] == [ids[1]]
