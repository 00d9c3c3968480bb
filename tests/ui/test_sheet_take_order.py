"""The contact sheet shows a group's takes in the order they were queued (issue 17), however
they were filed (two jobs at once: seeds 339, 338, 340) or selected."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from library_ui_helpers import new_entry
from sheet_helpers import write_take_clip

from wan_desktop.library.ids import new_group_id
from wan_desktop.ui.sheet_culling import load_takes


def _file(lib, tmp: Path, group: str, seed: int, take: int):
    new = new_entry(tmp / f"seed-{seed}", seed=seed, group_id=group, variant=f"seed {seed}",
                    take=take)  # fmt: skip
    clip = write_take_clip(Path(new.video_path), take, frames=12)
    return lib.add(dataclasses.replace(new, video_path=clip))


def test_the_sheet_reads_in_queue_order(lib, tmp_path):
    group = new_group_id()
    second = _file(lib, tmp_path, group, 339, 2)
    first = _file(lib, tmp_path, group, 338, 1)
    third = _file(lib, tmp_path, group, 340, 3)
    takes, group_id = load_takes(lib, [third.id])
    assert group_id == group
    assert [t.label for t in takes] == ["seed 338", "seed 339", "seed 340"]
    picked, _ = load_takes(lib, [third.id, second.id, first.id])  # selected newest first
    assert [t.id for t in picked] == [first.id, second.id, third.id]
