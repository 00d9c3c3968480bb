"""Lineage: children of a clip, and the continue-chain through a clip (back to the root,
forward to the latest child, a chosen branch where there are several)."""

from __future__ import annotations

import pytest
from library_entries import synthetic_sidecar

from wan_desktop.library import EntryNotFoundError
from wan_desktop.library.errors import FieldError
from wan_desktop.library.ids import new_id


def tree(lib) -> dict[str, str]:
    """root ─ a ─ b ─ c          (c newest in its branch)
               └ b2 ─ d      (b2 made after b: the newest child of a)
    other (unrelated)"""
    names = ["root", "a", "b", "b2", "c", "d", "other"]
    ids = {n: new_id(1_800_000_000_000 + i * 1000) for i, n in enumerate(names)}
    parents = {"a": "root", "b": "a", "b2": "a", "c": "b", "d": "b2"}
    rows = [
        (
            lib.paths.entry_rel(ids[n]),
            synthetic_sidecar(ids[n], prompt=n, parent_id=ids.get(parents.get(n, ""))),
        )
        for n in names
    ]
    lib._bulk_insert(rows)
    return ids


def test_children_are_live_and_newest_first(lib):
    ids = tree(lib)
    assert [c.id for c in lib.children_of(ids["a"])] == [ids["b2"], ids["b"]]
    assert lib.children_of(ids["c"]) == []
    lib._query("UPDATE entries SET trashed_at = '2026-12-01T00:00:00Z' WHERE id = ?", (ids["b2"],))
    assert [c.id for c in lib.children_of(ids["a"])] == [ids["b"]]


def test_chain_from_any_clip_runs_root_to_latest(lib):
    ids = tree(lib)
    newest_branch = [ids[n] for n in ("root", "a", "b2", "d")]
    assert lib.chain(ids["root"]) == newest_branch
    assert lib.chain(ids["a"]) == newest_branch
    assert lib.chain(ids["d"]) == newest_branch
    # From a clip on the other branch, the chain runs through it.
    assert lib.chain(ids["b"]) == [ids[n] for n in ("root", "a", "b", "c")]
    assert lib.chain(ids["other"]) == [ids["other"]]


def test_choose_picks_the_branch(lib):
    ids = tree(lib)
    asked = []

    def choose(entry_id, children):
        asked.append((entry_id, [c.id for c in children]))
        return children[-1].id  # the oldest

    assert lib.chain(ids["root"], choose) == [ids[n] for n in ("root", "a", "b", "c")]
    # Asked only where there was a choice to make.
    assert asked == [(ids["a"], [ids["b2"], ids["b"]])]
    with pytest.raises(FieldError, match="must be one of its children"):
        lib.chain(ids["root"], lambda _e, _c: ids["other"])


def test_a_trashed_or_missing_parent_ends_the_chain(lib):
    ids = tree(lib)
    lib._query("UPDATE entries SET trashed_at = '2026-12-01T00:00:00Z' WHERE id = ?", (ids["a"],))
    assert lib.chain(ids["b"]) == [ids["b"], ids["c"]]
    assert lib.chain(ids["root"]) == [ids["root"]]
    with pytest.raises(EntryNotFoundError):
        lib.chain(new_id())


def test_a_parent_cycle_from_hostile_sidecars_ends(lib):
    ids = tree(lib)
    # root claims c as its parent: root → a → b → c → root ...
    lib._query("UPDATE entries SET parent_id = ? WHERE id = ?", (ids["c"], ids["root"]))
    # Back from b: a, root, c (then b again: stop); forward: c is already in: stop.
    assert lib.chain(ids["b"]) == [ids[n] for n in ("c", "root", "a", "b")]


def test_a_real_continue_chain(lib, add):
    first = add(prompt="one")
    second = add(prompt="two", parent_id=first.id)
    third = add(prompt="three", parent_id=second.id)
    assert lib.chain(second.id) == [first.id, second.id, third.id]
    assert [c.id for c in lib.children_of(first.id)] == [second.id]
