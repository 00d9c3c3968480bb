"""Stars and picks in the library pane: the grid's keys (1–5, 0, P, X) on the selected cards,
saved to the library and shown at once (put back when saving fails); the filter bar's "Rating"
and flag filters and the "Highest rated" sort; what a card paints for them; the details."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_entry, shown_pane
from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from wan_desktop.library import Filters
from wan_desktop.ui.details_facts import key_facts_html, rating_text
from wan_desktop.ui.library_delegate import thumb_rect
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)
Select = QItemSelectionModel.SelectionFlag


@pytest.fixture
def three(lib, tmp_path):
    """Three clips: a lake (seed 1), a fox (seed 2), a city (seed 3), newest last."""
    prompts = ("a misty lake", "a red fox", "a neon city")
    return [add_entry(lib, tmp_path / "in", seed=n, prompt=p) for n, p in enumerate(prompts, 1)]


@pytest.fixture
def pane(qtbot, tasks, lib, three):
    with shown_pane(qtbot, tasks, lib) as p:
        yield p


def _row_id(pane, row: int) -> str:
    return pane.model.index(row).data(LibraryRole.Id)


def _select_rows(pane, *rows: int) -> list[str]:
    view = pane.view
    view.setFocus()
    view.setCurrentIndex(pane.model.index(rows[0]))
    for row in rows[1:]:
        view.selectionModel().select(pane.model.index(row), Select.Select)
    return [_row_id(pane, r) for r in rows]


def _marks(pane, entry_id: str) -> tuple[int, str]:
    index = pane.model.index_of(entry_id)
    return index.data(LibraryRole.Rating), index.data(LibraryRole.Flag)


def _saved(qtbot, pane):
    task = pane.last_task
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


def test_keys_rate_pick_reject_and_clear_the_selected_cards(qtbot, pane, lib, tasks):
    ids = _select_rows(pane, 0, 2)
    other = _row_id(pane, 1)
    qtbot.keyClick(pane.view, Qt.Key.Key_4)
    assert [_marks(pane, i) for i in ids] == [(4, ""), (4, "")]  # at once, before the save
    _saved(qtbot, pane)
    assert [lib.get(i).rating for i in ids] == [4, 4]
    assert lib.get(other).rating == 0 and _marks(pane, other) == (0, "")
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    _saved(qtbot, pane)
    assert [(lib.get(i).rating, lib.get(i).flag) for i in ids] == [(4, "picked")] * 2
    qtbot.keyClick(pane.view, Qt.Key.Key_P)  # again: both picked already, so unpicked
    _saved(qtbot, pane)
    assert [lib.get(i).flag for i in ids] == ["", ""]
    qtbot.keyClick(pane.view, Qt.Key.Key_X)
    _saved(qtbot, pane)
    assert [lib.get(i).flag for i in ids] == ["rejected"] * 2
    qtbot.keyClick(pane.view, Qt.Key.Key_0)
    _saved(qtbot, pane)
    assert [(lib.get(i).rating, lib.get(i).flag) for i in ids] == [(0, "")] * 2
    assert tasks.failures == []


def test_a_key_on_a_mixed_selection_flags_them_all(qtbot, pane, lib):
    first, second = _select_rows(pane, 0, 1)
    lib.set_flag(first, "picked")
    pane.model.set_marks_local(first, flag="picked")
    qtbot.keyClick(pane.view, Qt.Key.Key_P)  # not all picked: all become picked
    _saved(qtbot, pane)
    assert lib.get(first).flag == lib.get(second).flag == "picked"


def test_the_details_show_the_new_marks(qtbot, pane, lib):
    (entry_id,) = _select_rows(pane, 0)
    qtbot.waitUntil(lambda: pane.details.entry is not None, timeout=5000)
    pane.details.title_edit.setText("typing a title")  # an edit in progress stays
    qtbot.keyClick(pane.view, Qt.Key.Key_3)
    _saved(qtbot, pane)
    qtbot.keyClick(pane.view, Qt.Key.Key_X)
    _saved(qtbot, pane)
    facts = pane.details.key_facts.text()
    assert "★★★☆☆ 3 of 5" in facts and "rejected" in facts
    assert pane.details.title_edit.text() == "typing a title"
    assert lib.get(entry_id).rating == 3


def test_typing_a_digit_in_the_search_box_rates_nothing(qtbot, pane, lib, three):
    _select_rows(pane, 0)
    pane.search.setFocus()
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):  # the search "5" runs
        qtbot.keyClicks(pane.search, "5")
    assert all(lib.get(e.id).rating == 0 for e in three)
    assert pane.search.text() == "5"


def test_a_failed_save_puts_the_old_marks_back(qtbot, pane, tasks):
    (entry_id,) = _select_rows(pane, 0)

    async def refuse(_entry_id, _stars):
        raise OSError("the disk is full")

    pane.actions.set_rating = refuse
    qtbot.keyClick(pane.view, Qt.Key.Key_5)
    assert _marks(pane, entry_id) == (5, "")
    qtbot.waitUntil(lambda: bool(tasks.failures), timeout=5000)  # reported as any task's
    assert _marks(pane, entry_id) == (0, "")
    assert "disk is full" in tasks.failures[0][1]
    tasks.failures.clear()


def test_rating_and_flag_filters_and_the_rating_sort(qtbot, pane, lib, three):
    lake, fox, city = three
    lib.set_rating(lake.id, 2)
    lib.set_rating(fox.id, 5)
    lib.set_flag(fox.id, "picked")
    lib.set_flag(city.id, "rejected")
    bar = pane.filter_bar

    def shown_after(change) -> list[str]:
        with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
            change()
        return pane.model.ids()

    assert shown_after(lambda: bar.rating_filter.setCurrentIndex(2)) == [fox.id, lake.id]
    assert bar.query().filters == Filters(min_rating=2)
    assert shown_after(lambda: bar.rating_filter.setCurrentIndex(5)) == [fox.id]
    assert shown_after(lambda: bar.rating_filter.setCurrentIndex(0)) == [city.id, fox.id, lake.id]
    flags = {bar.flag_filter.itemText(i): i for i in range(bar.flag_filter.count())}
    assert shown_after(lambda: bar.flag_filter.setCurrentIndex(flags["Picked"])) == [fox.id]
    assert shown_after(lambda: bar.flag_filter.setCurrentIndex(flags["Rejected"])) == [city.id]
    assert shown_after(lambda: bar.flag_filter.setCurrentIndex(flags["Unflagged"])) == [lake.id]
    assert bar.query().filters == Filters(flag="")
    shown_after(bar.clear_filters)
    assert bar.rating_filter.currentIndex() == bar.flag_filter.currentIndex() == 0
    sorts = {bar.sort_combo.itemText(i): i for i in range(bar.sort_combo.count())}
    order = shown_after(lambda: bar.sort_combo.setCurrentIndex(sorts["Highest rated"]))
    assert order == [fox.id, lake.id, city.id]


def test_a_new_clip_goes_straight_into_a_list_it_matches(qtbot, pane, lib, tmp_path):
    from wan_desktop.ui.library_model import _matches, summary_of_entry

    new = summary_of_entry(add_entry(lib, tmp_path / "more", seed=9))
    assert _matches(new, Filters(flag=""))
    assert not _matches(new, Filters(flag="picked"))
    assert not _matches(new, Filters(min_rating=1))
    assert _matches(new._replace(rating=3), Filters(min_rating=3))
    assert not _matches(new, Filters(group_id="g-0001"))


def _card(pane, row: int, **marks) -> QImage:
    """Row ``row``'s card painted with ``marks`` into an image of its own."""
    model, view = pane.model, pane.view
    entry_id = _row_id(pane, row)
    model.set_marks_local(entry_id, **marks)
    rect = view.visualRect(model.index(row))
    image = QImage(rect.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = QRect(0, 0, rect.width(), rect.height())
    view.itemDelegate().paint(painter, option, model.index(row))
    painter.end()
    return image


def _count(image: QImage, rect: QRect, test) -> int:
    return sum(
        1
        for y in range(rect.top(), rect.bottom(), 2)
        for x in range(rect.left(), rect.right(), 2)
        if test(image.pixelColor(x, y))
    )


def test_a_card_paints_its_stars_and_its_badge_and_dims_a_reject(qtbot, pane):
    row = 0
    thumb = thumb_rect(QRect(0, 0, *pane.view.visualRect(pane.model.index(row)).size().toTuple()))
    top = QRect(thumb.left(), thumb.top(), thumb.width(), 30)
    bottom = QRect(thumb.left(), thumb.bottom() - 30, thumb.width(), 30)

    def green(c):
        return c.green() > 100 and c.red() < 80 and c.blue() < 80

    def red(c):
        return c.red() > 170 and c.green() < 70 and c.blue() < 70

    def gold(c):
        return c.red() > 220 and c.green() > 170 and c.blue() < 100

    plain = _card(pane, row, rating=0, flag="")
    picked = _card(pane, row, rating=4, flag="picked")
    rejected = _card(pane, row, rating=0, flag="rejected")
    assert _count(plain, top, green) == 0 and _count(plain, bottom, gold) == 0
    assert _count(picked, top, green) > 20
    assert _count(picked, bottom, gold) > 20  # four gold stars
    assert _count(rejected, top, red) > 20

    def lightness(image):
        middle = QRect(thumb.center().x() - 20, thumb.center().y() - 10, 40, 20)
        return sum(image.pixelColor(x, y).lightness()
                   for y in range(middle.top(), middle.bottom())
                   for x in range(middle.left(), middle.right()))  # fmt: skip

    assert lightness(rejected) < 0.75 * lightness(plain)  # the reject's picture is dimmed
    accessible = pane.model.index(row).data(Qt.ItemDataRole.AccessibleTextRole)
    assert accessible.endswith(", rejected")


def test_key_facts_say_the_rating_the_flag_and_the_take():
    class _Entry:
        seed, resolution, width, height, duration_s = 7, "720p", 1280, 720, 5.0
        cost_usd, request_id = None, ""
        rating, flag, group_id, variant = 2, "picked", "g-01abc", "prompt B · seed 7"

    html = key_facts_html(_Entry(), "#777777")
    assert "★★☆☆☆ 2 of 5" in html and "picked" in html
    assert "prompt B · seed 7 · group g-01abc" in html
    assert rating_text(0) == "not rated" and rating_text(5) == "★★★★★ 5 of 5"
    _Entry.variant, _Entry.group_id, _Entry.rating, _Entry.flag = "", None, 0, ""
    html = key_facts_html(_Entry(), "#777777")
    assert "Take" not in html and "not rated" in html and "none" in html


def test_the_context_menu_offers_the_marks_with_their_keys(qtbot, pane):
    from PySide6.QtWidgets import QMenu

    _select_rows(pane, 0)
    menu = pane.context_menu()
    judge = menu.findChild(QMenu, "libraryCullingMenu")
    assert judge is not None and judge.title() == "Rate and flag"
    keys = [a.shortcut().toString() for a in judge.actions()]
    assert keys == ["1", "2", "3", "4", "5", "0", "P", "X"]
    judge.actions()[2].trigger()  # "3 stars", as the key would
    _saved(qtbot, pane)
    assert _marks(pane, _row_id(pane, 0)) == (3, "")
    menu.close()
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.trash_toggle.setChecked(True)
    trash_menu = pane.context_menu()
    assert trash_menu.findChild(QMenu, "libraryCullingMenu") is None
    trash_menu.close()
