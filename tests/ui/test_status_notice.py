"""The status line's notice: plain text with one action, named for screen readers, gone after
its time, when used, or when replaced (a replaced offer is not used)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from wan_desktop.ui.status_notice import StatusNotice


def _notice(qtbot) -> StatusNotice:
    notice = StatusNotice()
    qtbot.addWidget(notice)
    return notice


def test_show_with_one_action(qtbot):
    notice = _notice(qtbot)
    used = []
    notice.show("Moved 2 clips to the trash", "Undo", lambda: used.append(1), timeout_ms=0)
    assert notice.is_showing() and notice.objectName() == "statusNotice"
    label = notice.findChild(QLabel, "statusNoticeText")
    button = notice.findChild(QPushButton, "statusNoticeAction")
    assert label.text() == "Moved 2 clips to the trash \u00b7"
    assert button.text() == "Undo" and button.accessibleName() == "Undo"
    assert notice.accessibleName() == "Moved 2 clips to the trash Undo"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert used == [1] and not notice.is_showing()
    assert not notice.trigger()  # used once only


def test_text_is_plain_and_an_action_needs_a_callable(qtbot):
    notice = _notice(qtbot)
    notice.show("<b>not bold</b>", "Undo")  # no callable: no button
    label = notice.findChild(QLabel, "statusNoticeText")
    assert label.textFormat() == Qt.TextFormat.PlainText and label.text() == "<b>not bold</b>"
    assert notice.action_text() == "" and notice.findChild(QPushButton).isHidden()


def test_a_replaced_offer_is_dismissed_not_used(qtbot):
    notice = _notice(qtbot)
    used, dismissed = [], []
    notice.dismissed.connect(lambda: dismissed.append(1))
    notice.show("first", "Undo", lambda: used.append("first"))
    notice.show("second", "Restore draft", lambda: used.append("second"))
    assert dismissed == [1] and notice.text() == "second"
    assert notice.action_text() == "Restore draft"
    notice.trigger()
    assert used == ["second"]


def test_it_goes_after_its_time(qtbot):
    notice = _notice(qtbot)
    notice.show("soon gone", "Undo", lambda: None, timeout_ms=30)
    with qtbot.waitSignal(notice.dismissed, timeout=2000):
        pass
    assert not notice.is_showing() and notice.text() == ""
    notice.show()  # QWidget.show() still works without arguments
    assert notice.isVisible()
