"""Judging takes: rating and flag edits, the group's members, culling with keep_picks (and its
undo), the take filters, the rating sort, the search words (rating:N, is:picked, is:rejected,
group:ID) and the command line that scripts cull with."""

from __future__ import annotations

import json

import pytest
from test_library_cli import run
from test_library_queries import fill

from wan_desktop.library import Filters, Library, LibraryError
from wan_desktop.library.errors import FieldError
from wan_desktop.library.ids import new_group_id
from wan_desktop.library.search import search_word_problems

GROUP = "g-takes-of-the-fox"
OTHER = "g-another-group"


@pytest.fixture
def judged(lib):
    """Index-only rows: five takes of GROUP with ratings and flags, one of OTHER, one alone."""
    specs = [
        {"prompt": "fox take one", "group_id": GROUP, "variant": "seed 1", "rating": 5,
         "flag": "picked"},
        {"prompt": "fox take two", "group_id": GROUP, "variant": "seed 2", "rating": 2,
         "flag": "rejected"},
        {"prompt": "fox take three", "group_id": GROUP, "variant": "seed 3", "rating": 4},
        {"prompt": "fox take four", "group_id": GROUP, "variant": "seed 4"},
        {"prompt": "fox take five", "group_id": GROUP, "variant": "seed 5", "rating": 1,
         "flag": "rejected"},
        {"prompt": "heron take", "group_id": OTHER, "variant": "seed 9", "rating": 4,
         "flag": "picked"},
        {"prompt": "a fox alone", "rating": 3},
    ]  # fmt: skip
    return fill(lib, specs)


def ids_of(rows) -> list[str]:
    return [r.id for r in rows]


def test_filters_by_rating_flag_and_group(lib, judged):
    one, two, three, four, five, heron, alone = judged
    assert set(ids_of(lib.list(Filters(min_rating=4)))) == {one, three, heron}
    assert set(ids_of(lib.list(Filters(flag="picked")))) == {one, heron}
    assert set(ids_of(lib.list(Filters(flag="rejected")))) == {two, five}
    assert set(ids_of(lib.list(Filters(flag="")))) == {three, four, alone}
    assert ids_of(lib.list(Filters(group_id=GROUP), sort="oldest")) == [
        one,
        two,
        three,
        four,
        five,
    ]
    both = Filters(group_id=GROUP, min_rating=2, flag="rejected")
    assert ids_of(lib.list(both)) == [two]
    assert lib.count(filters=Filters(group_id=GROUP)) == 5


def test_rating_sort_puts_the_best_first_and_unrated_last(lib, judged):
    one, two, three, four, five, heron, alone = judged
    order = ids_of(lib.list(sort="rating"))
    # Highest first; equal ratings newest first; the unrated take at the end.
    assert order == [one, heron, three, alone, two, five, four]
    assert ids_of(lib.search("fox", sort="rating")) == [one, three, alone, two, five, four]


def test_search_words_filter(lib, judged):
    one, two, three, _four, five, heron, alone = judged
    assert set(ids_of(lib.search("rating:4"))) == {one, three, heron}
    assert set(ids_of(lib.search("fox rating:3"))) == {one, three, alone}
    assert set(ids_of(lib.search("is:picked"))) == {one, heron}
    assert set(ids_of(lib.search("IS:Rejected fox"))) == {two, five}
    assert set(ids_of(lib.search(f"group:{OTHER}"))) == {heron}
    assert set(ids_of(lib.search(f"group:{GROUP} is:rejected"))) == {two, five}
    assert lib.count(f"group:{GROUP}") == 5
    assert lib.search("ratings:4") == []  # not a filter word: searched as text, no error


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("rating:9", ["'rating:9'", "1 to 5"]),
        ("fox rating:0", ["'rating:0'", "1 to 5"]),
        ("RATING:x", ["'RATING:x'", "1 to 5"]),
        ("is:maybe", ["'is:maybe'", "is:picked or is:rejected"]),
        ("group:-x", ["'group:-x'", "4 to 64"]),
    ],
)
def test_a_search_word_out_of_range_is_refused_by_name(lib, judged, text, words):
    """As ``--rating 9`` is: the word and its limit, not an empty list (issue 17)."""
    for call in (lambda: lib.search(text), lambda: lib.count(text)):
        with pytest.raises(FieldError) as refused:
            call()
        assert all(w in str(refused.value) for w in words), str(refused.value)
    [problem] = search_word_problems(text)
    assert all(w in problem for w in words)
    assert search_word_problems("fox rating:4 is:picked") == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (Filters(min_rating=6), "rating"),
        (Filters(min_rating=-1), "rating"),
        (Filters(flag="maybe"), "flag"),
        (Filters(group_id="../etc"), "group_id"),
    ],
)
def test_bad_filters_name_the_field(lib, filters, field):
    with pytest.raises(FieldError, match=field):
        lib.list(filters)


def test_group_members_are_the_live_takes_oldest_first(lib, add):
    group = new_group_id()
    a = add(group_id=group, variant="seed 1")
    b = add(group_id=group, variant="seed 2")
    c = add(group_id=group, variant="seed 3")
    add()  # not in the group
    lib.trash(b.id)
    members = lib.group_members(group)
    assert [(m.id, m.variant) for m in members] == [(a.id, "seed 1"), (c.id, "seed 3")]
    assert lib.group_members(new_group_id()) == []
    with pytest.raises(FieldError, match="group_id"):
        lib.group_members("NO")


def test_rating_and_flag_edits(lib, add):
    entry = add()
    assert lib.set_rating(entry.id, 4).rating == 4
    assert lib.set_flag(entry.id, "picked").flag == "picked"
    assert lib.set_flag(entry.id, "none").flag == ""
    assert lib.set_flag(entry.id, None).flag == ""
    assert lib.set_rating(entry.id, 0).rating == 0
    for bad in (6, -1, 2.5, True, "3"):
        with pytest.raises(FieldError, match="rating"):
            lib.set_rating(entry.id, bad)
    with pytest.raises(FieldError, match="flag"):
        lib.set_flag(entry.id, "maybe")
    sidecar = json.loads(entry.sidecar_path.read_text())
    assert sidecar["rating"] == 0 and sidecar["flag"] == ""
    # An edit keeps the other edits.
    lib.set_tags(entry.id, ["keeper"])
    lib.set_rating(entry.id, 5)
    assert lib.get(entry.id).tags == ("keeper",) and lib.get(entry.id).rating == 5


def test_keep_picks_trashes_the_rejects_and_restore_undoes_it(lib, add):
    group = new_group_id()
    picked = add(group_id=group, variant="seed 1")
    rejected = add(group_id=group, variant="seed 2")
    unflagged = add(group_id=group, variant="seed 3")
    rejected_too = add(group_id=group, variant="seed 4")
    elsewhere = add()  # a reject outside the group stays
    lib.set_flag(picked.id, "picked")
    lib.set_flag(rejected.id, "rejected")
    lib.set_flag(rejected_too.id, "rejected")
    lib.set_flag(elsewhere.id, "rejected")

    trashed = lib.keep_picks(group)
    assert trashed == [rejected.id, rejected_too.id]
    assert ids_of(lib.group_members(group)) == [picked.id, unflagged.id]
    assert lib.get(elsewhere.id).trashed_at is None
    assert all(lib.get(i).trashed_at is not None for i in trashed)
    assert lib.keep_picks(group) == []  # nothing left to cull

    for entry_id in trashed:  # undo
        lib.restore(entry_id)
    assert ids_of(lib.group_members(group)) == [
        picked.id,
        rejected.id,
        unflagged.id,
        rejected_too.id,
    ]
    assert lib.get(rejected.id).flag == "rejected"  # the judgement survives the round trip


def test_cli_filters_sort_and_json_fields(lib, judged):
    one, two, three, _four, five, heron, alone = judged
    lib.close()
    code, out, _ = run("library", "list", "--rating", "4", "--json")
    assert code == 0 and {r["id"] for r in json.loads(out)} == {one, three, heron}
    code, out, _ = run("library", "list", "--picked", "--group", GROUP, "--json")
    [row] = json.loads(out)
    assert code == 0 and row["id"] == one
    assert (row["group_id"], row["variant"], row["rating"], row["flag"]) == (
        GROUP,
        "seed 1",
        5,
        "picked",
    )
    code, out, _ = run("library", "list", "--rejected", "--json")
    assert {r["id"] for r in json.loads(out)} == {two, five}
    code, out, _ = run("library", "list", "--sort", "rating", "--limit", "2", "--json")
    assert [r["id"] for r in json.loads(out)] == [one, heron]
    code, out, _ = run("library", "search", "fox", "--rating", "3", "--json")
    assert {r["id"] for r in json.loads(out)} == {one, three, alone}
    code, out, _ = run("library", "list", "--group", GROUP)
    assert code == 0 and "5✓" in out and "2✗" in out and "RATE" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("--rating", "9"), "--rating must be from 1 to 5"),
        (("--group", "Bad Group"), "group_id"),
    ],
)
def test_cli_bad_filters_exit_2_with_the_limit(lib, argv, said):
    lib.close()
    code, out, err = run("library", "list", *argv)
    assert code == 2 and said in err and out == ""


@pytest.mark.parametrize("command", ["search", "list"])
def test_cli_a_search_word_out_of_range_exits_2_like_the_option(lib, command):
    lib.close()
    argv = ("search", "rating:9") if command == "search" else ("list", "--rating", "9")
    code, out, err = run("library", *argv)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("wan-desktop library: ") and "9" in err and "1 to 5" in err


def test_cli_rate_flag_and_keep_picks(lib, add):
    group = new_group_id()
    a = add(group_id=group, variant="seed 1")
    b = add(group_id=group, variant="seed 2")
    lib.close()
    code, out, _ = run("library", "rate", a.id, "5", "--json")
    assert code == 0 and json.loads(out)["rating"] == 5
    code, out, _ = run("library", "flag", a.id, "picked")
    assert code == 0 and out.strip() == f"{a.id}  picked"
    assert run("library", "flag", b.id, "rejected")[0] == 0
    code, _, err = run("library", "rate", a.id, "6")
    assert code == 2 and "rating must be a whole number from 0" in err
    code, _, err = run("library", "rate", "nope", "3")
    assert code == 2 and "no entry" in err
    code, out, err = run("library", "keep-picks", group, "--json")
    assert code == 0 and json.loads(out) == {"group_id": group, "trashed": [b.id]}
    code, out, _ = run("library", "list", "--group", group, "--json")
    assert [r["id"] for r in json.loads(out)] == [a.id]
    code, out, _ = run("library", "flag", a.id, "none", "--json")
    assert json.loads(out)["flag"] == ""


def test_an_import_keeps_the_group_but_not_the_judgements(lib, add, tmp_path):
    group = new_group_id()
    entry = add(group_id=group, variant="seed 5")
    lib.set_rating(entry.id, 5)
    lib.set_flag(entry.id, "picked")
    (tmp_path / "out").mkdir()
    exported = lib.export(entry.id, tmp_path / "out")
    with Library.open(tmp_path / "other") as other:
        imported = other.import_video(exported)
        assert (imported.group_id, imported.variant) == (group, "seed 5")
        assert (imported.rating, imported.flag) == (0, "")


def test_library_error_is_the_base_of_field_errors():
    assert issubclass(FieldError, LibraryError) and issubclass(FieldError, ValueError)
