"""The contact sheet's grid paints its cells: new frames in every cell are one paint event of
the grid (one painter), not one per cell; what it paints is each cell's picture in its place,
the caption over it and a rejected cell dimmed; the cells have no paint or event handler of
their own (each would be Python work per cell per frame)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QSize
from PySide6.QtGui import QColor, QImage

from wan_desktop.ui.sheet_cell import SheetCell
from wan_desktop.ui.sheet_grid import SheetGrid

pytestmark = pytest.mark.timeout(60)
COLOURS = ["#d04020", "#20a050", "#3060e0"]


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _picture(size: QSize, colour: str) -> QImage:
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    return image


@pytest.fixture
def grid(qtbot):
    grid = SheetGrid()
    qtbot.addWidget(grid)
    cells = [SheetCell(n, f"seed {n}") for n in range(3)]
    grid.set_tiles(cells)
    grid.resize(960, 300)
    grid.show()
    qtbot.waitExposed(grid)
    grid.cells = cells
    return grid


def test_new_frames_in_every_cell_are_one_paint_of_the_grid(qtbot, grid):
    counter = PaintCounter()
    grid.installEventFilter(counter)
    for cell in grid.cells:
        cell.set_frame(0, _picture(cell.device_size(), "#000000"))
    qtbot.waitUntil(lambda: counter.count >= 1, timeout=5000)
    before = counter.count
    for cell, colour in zip(grid.cells, COLOURS, strict=True):
        cell.set_frame(1, _picture(cell.device_size(), colour))
    qtbot.waitUntil(lambda: counter.count > before, timeout=5000)
    qtbot.wait(50)  # anything more would have come by now
    assert counter.count == before + 1


def test_the_grid_paints_each_picture_in_its_cell(qtbot, grid):
    for cell, colour in zip(grid.cells, COLOURS, strict=True):
        cell.set_frame(4, _picture(cell.device_size(), colour))
    grid.cells[2].set_marks(0, "rejected")
    shot = grid.grab().toImage()
    ratio = shot.devicePixelRatio()
    for cell, colour in zip(grid.cells, COLOURS, strict=True):
        tile = cell.tile_rect()
        assert tile.size() == cell.size()  # a picture made for the cell: copied, not scaled
        top = cell.geometry().topLeft() + tile.center() - QPoint(0, tile.height() // 4)
        got = shot.pixelColor(round(top.x() * ratio), round(top.y() * ratio))
        want = QColor(colour)
        if cell.flag == "rejected":  # dimmed by half and a bit
            assert got.red() < want.red() * 0.6 and got.blue() < want.blue() * 0.6
        else:
            assert got == want
        caption = cell.geometry().topLeft() + QPoint(tile.center().x(), tile.bottom() - 3)
        assert shot.pixelColor(round(caption.x() * ratio), round(caption.y() * ratio)) != want


def test_cells_have_no_paint_or_event_handler_of_their_own():
    assert "paintEvent" not in vars(SheetCell) and "event" not in vars(SheetCell)


def test_a_picture_of_another_shape_has_the_window_around_it(qtbot, grid):
    cell = grid.cells[0]
    square = cell.device_size().height()
    cell.set_frame(2, _picture(QSize(square, square), COLOURS[0]))
    tile = cell.tile_rect()
    assert tile.width() < cell.width() - 20  # bars left and right of the square picture
    shot = grid.grab().toImage()
    ratio = shot.devicePixelRatio()
    origin = cell.geometry().topLeft()

    def at(x: int, y: int) -> QColor:
        return shot.pixelColor(round((origin.x() + x) * ratio), round((origin.y() + y) * ratio))

    window = cell.palette().window().color()
    assert at(3, tile.height() // 3) == window
    assert at(cell.width() - 4, tile.height() // 3) == window
    assert at(tile.center().x(), tile.height() // 3) == QColor(COLOURS[0])
