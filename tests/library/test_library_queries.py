"""Lists, paging, sorting, filters and full-text search (index-only rows: fast)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from library_entries import synthetic_sidecar

from wan_desktop.library import Filters, Library
from wan_desktop.library.ids import new_id
from wan_desktop.library.search import fts_query

T0 = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)
DAY = 86_400_000


def fill(lib: Library, specs: list[dict]) -> list[str]:
    """Index rows for ``specs`` (kwargs of synthetic_sidecar plus ``day``); returns ids."""
    rows, ids = [], []
    for i, spec in enumerate(specs):
        spec = dict(spec)
        entry_id = new_id(T0 + spec.pop("day", i) * DAY + i)
        ids.append(entry_id)
        rows.append((lib.paths.entry_rel(entry_id), synthetic_sidecar(entry_id, **spec)))
    lib._bulk_insert(rows)
    return ids


@pytest.fixture
def filled(lib):
    ids = fill(
        lib,
        [
            {"prompt": "a red fox in the snow", "duration_s": 5, "day": 0},
            {"prompt": "Crème brûlée on a table", "duration_s": 10, "day": 1, "has_audio": True},
            {"prompt": "city at night, neon", "duration_s": 15, "day": 2, "favourite": True,
             "resolution": "1080p"},
            {"prompt": "waves", "duration_s": 5, "day": 3, "tags": ["Ocean", "calm"],
             "notes": "for the trailer", "title": "Blue hour"},
            {"prompt": 'quote "inside" and AND OR NOT NEAR( * ^', "duration_s": 10, "day": 4},
        ],
    )  # fmt: skip
    return lib, ids


def test_newest_first_with_paging(lib):
    ids = fill(lib, [{"prompt": f"clip number {i}"} for i in range(23)])
    newest = list(reversed(ids))
    pages = [lib.list(limit=10, offset=o) for o in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [s.id for p in pages for s in p] == newest
    assert lib.count() == 23


def test_sorts(filled):
    lib, ids = filled
    assert [s.id for s in lib.list(sort="oldest")] == ids
    durations = [s.duration_s for s in lib.list(sort="longest")]
    assert durations == sorted(durations, reverse=True)
    assert [s.duration_s for s in lib.list(sort="shortest")] == sorted(durations)
    with pytest.raises(ValueError):
        lib.list(sort="sideways")


def test_filters(filled):
    lib, ids = filled
    assert [s.id for s in lib.list(Filters(favourite=True))] == [ids[2]]
    assert [s.id for s in lib.list(Filters(resolution="1080p"))] == [ids[2]]
    assert [s.id for s in lib.list(Filters(has_audio=True))] == [ids[1]]
    assert {s.id for s in lib.list(Filters(min_duration_s=10, max_duration_s=10))} == {
        ids[1],
        ids[4],
    }
    start = datetime(2026, 3, 2, tzinfo=UTC)
    end = "2026-03-04T00:00:00+00:00"
    assert {s.id for s in lib.list(Filters(created_from=start, created_to=end))} == {
        ids[1],
        ids[2],
    }
    assert [s.id for s in lib.list(Filters(tag="ocean"))] == [ids[3]]
    assert lib.count(filters=Filters(favourite=False)) == 4


def test_full_text_over_every_field_with_prefixes(filled):
    lib, ids = filled
    assert [s.id for s in lib.search("fox")] == [ids[0]]
    assert [s.id for s in lib.search("sno")] == [ids[0]]  # search as you type
    assert len(lib.search("fo")) == 2  # fox, "for the trailer"
    assert [s.id for s in lib.search("creme brul")] == [ids[1]]  # accents ignored
    assert [s.id for s in lib.search("NEON")] == [ids[2]]
    assert [s.id for s in lib.search("ocea")] == [ids[3]]  # tags
    assert [s.id for s in lib.search("trailer")] == [ids[3]]  # notes
    assert [s.id for s in lib.search("blue hour")] == [ids[3]]  # title
    assert lib.search("fox waves") == []  # every word must match
    assert lib.count("fox") == 1


def test_a_resolution_or_a_seed_finds_its_clips(lib):
    rows = []
    for i, (prompt, seed, resolution) in enumerate(
        [("a red fox", 745410674, "1080p"), ("waves", 12, "720p"),
         ("1080 lines of rain", 99, "720p"), ("a fox at dawn", 745, "720p")]
    ):  # fmt: skip
        entry_id = new_id(T0 + i * DAY)
        data = synthetic_sidecar(entry_id, prompt=prompt, resolution=resolution)
        data["seed"] = seed
        rows.append((lib.paths.entry_rel(entry_id), data))
    lib._bulk_insert(rows)
    fox, waves, rain, dawn = (entry_id for entry_id in (r[1]["id"] for r in rows))

    def found(text: str) -> set[str]:
        return {s.id for s in lib.search(text)}

    assert found("1080") == {fox, rain}  # the resolution, or the word in a prompt
    assert found("1080p") == found("1080P") == {fox}
    assert found("720p") == {waves, rain, dawn}
    assert found("745410674") == {fox}  # a seed, whole
    assert found("7454") == {fox}  # or as typed so far
    assert found("745") == {fox, dawn}
    assert found("fox 745410674") == {fox}  # words still all have to match
    assert found("waves 745410674") == set()
    assert found("fox 1080p") == {fox}
    assert lib.count("1080") == 2 and lib.count("745410674") == 1
    assert [s.id for s in lib.search("720p", sort="oldest")] == [waves, rain, dawn]


@pytest.mark.parametrize(
    "text", ['"', 'quote "inside', "AND", "OR NOT", "NEAR(", "*", "^", "a:b", "(", "-", "'"]
)
def test_fts_syntax_is_taken_literally(filled, text):
    lib, ids = filled
    results = [s.id for s in lib.search(text)]  # never raises
    if text in ('quote "inside', "AND", "OR NOT", "NEAR("):
        # The operator words are plain words of entry 4's prompt.
        assert ids[4] in results
    if text == "a:b":
        assert results == []  # a phrase "a b*", not a column filter


def test_text_without_words_lists_everything(filled):
    lib, ids = filled
    assert [s.id for s in lib.search("  !!! ")] == list(reversed(ids))
    assert fts_query("   ") is None


def test_search_with_filters_and_sort(filled):
    lib, ids = filled
    found = lib.search("a", Filters(min_duration_s=10), sort="newest")
    assert [s.id for s in found] == [ids[4], ids[2], ids[1]]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_arbitrary_text_never_raises(filled, text):
    lib, _ = filled
    lib.search(text)
    lib.count(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_fts_query_is_always_valid_fts5(text):
    query = fts_query(text)
    if query is None:
        return
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('hello world')")
    conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()


def test_opening_reads_no_rows(tmp_path, monkeypatch):
    root = tmp_path / "big"
    with Library.open(root) as lib:
        fill(lib, [{"prompt": f"entry {i}"} for i in range(3000)])
    statements: list[str] = []
    real_connect = Library._connect

    def traced(paths):
        conn, before = real_connect(paths)
        conn.set_trace_callback(statements.append)
        return conn, before

    monkeypatch.setattr(Library, "_connect", staticmethod(traced))
    with Library.open(root) as lib:
        opened = list(statements)
        first_page = lib.list(limit=50)
        plans = [
            " ".join(r[3] for r in lib._query("EXPLAIN QUERY PLAN " + sql.split(";")[0]))
            for sql in opened
            if sql.lstrip().upper().startswith("SELECT") and "entries" in sql
        ]
    assert len(first_page) == 50
    # Only the trash purge touches entries on open, through its partial index.
    assert plans, opened
    for plan in plans:
        assert "USING INDEX entries_trashed" in plan or "USING COVERING INDEX" in plan, plan
        assert "SCAN e" not in plan and "SCAN entries" not in plan
