"""Arithmetic of a grid of uniform cells (``libraryView``): where row ``n`` sits, which rows a
rectangle touches, how many columns fit. Plain integers, no Qt, so it is cheap and testable.

Rows flow left to right, then top to bottom. Every cell is ``cell_width`` × ``cell_height``
with ``spacing`` around it (between cells and at the edges); the columns that fit are centred
in the width when ``centred`` (else they start at the left edge). Coordinates are those of the
whole content (y = 0 is the top of the first grid row's margin, not of the viewport).
Rectangles are ``(x, y, width, height)`` and cover pixels ``x .. x + width - 1``, like
``QRect``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GridLayout", "fill_width"]

Rect = tuple[int, int, int, int]


def fill_width(least_width: int, spacing: int, width: int) -> tuple[int, int]:
    """``(columns, cell_width)`` for cells at least ``least_width`` wide in ``width`` pixels:
    as many columns as fit, each widened so the row fills the width (what is left over is
    less than a pixel per column) instead of leaving a gap at the end. Narrower than one
    cell: one column of ``least_width``."""
    least = max(1, least_width)
    columns = max(1, (width - spacing) // (least + spacing))
    return columns, max(least, (width - spacing) // columns - spacing)


@dataclass(frozen=True, slots=True)
class GridLayout:
    """A grid of ``cell_width`` × ``cell_height`` cells laid out in ``width`` pixels."""

    cell_width: int
    cell_height: int
    spacing: int
    width: int
    centred: bool = True

    # ---- shape --------------------------------------------------------------------------------

    @property
    def pitch_x(self) -> int:
        """From one column's left edge to the next one's."""
        return self.cell_width + self.spacing

    @property
    def pitch_y(self) -> int:
        """From one grid row's top edge to the next one's."""
        return self.cell_height + self.spacing

    @property
    def columns(self) -> int:
        """Cells per grid row: as many as fit in ``width``, at least one."""
        return max(1, (self.width - self.spacing) // max(1, self.pitch_x))

    @property
    def left(self) -> int:
        """The x of the first column."""
        slack = self.width - self.spacing - self.columns * self.pitch_x
        return self.spacing + (slack // 2 if self.centred and slack > 0 else 0)

    @property
    def top(self) -> int:
        """The y of the first grid row."""
        return self.spacing

    def grid_rows(self, count: int) -> int:
        """Grid rows that ``count`` cells fill."""
        return -(-max(0, count) // self.columns)

    def content_width(self) -> int:
        """Width of the content: ``width`` unless a single cell is wider than that."""
        return max(self.width, 2 * self.spacing + self.cell_width)

    def content_height(self, count: int) -> int:
        """Height of the content holding ``count`` cells (0 for none)."""
        rows = self.grid_rows(count)
        return self.top + rows * self.pitch_y if rows else 0

    # ---- row → place --------------------------------------------------------------------------

    def position(self, row: int) -> tuple[int, int]:
        """``(column, grid_row)`` of ``row``."""
        return row % self.columns, row // self.columns

    def cell(self, row: int) -> Rect:
        """The rectangle of ``row``'s cell."""
        column, grid_row = self.position(row)
        return (
            self.left + column * self.pitch_x,
            self.top + grid_row * self.pitch_y,
            self.cell_width,
            self.cell_height,
        )

    # ---- place → rows -------------------------------------------------------------------------

    def row_at(self, x: int, y: int, count: int) -> int:
        """The row whose cell holds point (x, y), or -1 (between cells, past the last row)."""
        column, cx = divmod(x - self.left, self.pitch_x)
        grid_row, cy = divmod(y - self.top, self.pitch_y)
        if not (0 <= column < self.columns and grid_row >= 0):
            return -1
        if cx >= self.cell_width or cy >= self.cell_height:
            return -1  # in the spacing
        row = grid_row * self.columns + column
        return row if row < count else -1

    def column_span(self, x0: int, x1: int) -> tuple[int, int]:
        """First and last column whose cells meet pixels ``x0 .. x1`` (first > last: none)."""
        first = -((self.left + self.cell_width - 1 - x0) // self.pitch_x)  # ceil division
        last = (x1 - self.left) // self.pitch_x
        return max(0, first), min(self.columns - 1, last)

    def grid_row_span(self, y0: int, y1: int, count: int) -> tuple[int, int]:
        """First and last grid row whose cells meet pixels ``y0 .. y1`` (first > last: none)."""
        first = -((self.top + self.cell_height - 1 - y0) // self.pitch_y)
        last = (y1 - self.top) // self.pitch_y
        return max(0, first), min(self.grid_rows(count) - 1, last)

    def visible_rows(self, y: int, height: int, count: int) -> range:
        """Rows whose cells meet the band ``y .. y + height - 1`` (whole grid rows)."""
        first, last = self.grid_row_span(y, y + height - 1, count)
        if first > last:
            return range(0)
        return range(first * self.columns, min(count, (last + 1) * self.columns))

    def rows_in_rect(self, rect: Rect, count: int) -> list[tuple[int, int]]:
        """Runs ``(first, last)`` of consecutive rows whose cells meet ``rect``, in order.

        Computed from the rectangle's column and grid-row span, so the cost is one run per grid
        row touched (a single run when the rectangle spans every column), never per row.
        """
        x, y, w, h = rect
        if w <= 0 or h <= 0 or count <= 0:
            return []
        c0, c1 = self.column_span(x, x + w - 1)
        r0, r1 = self.grid_row_span(y, y + h - 1, count)
        if c0 > c1 or r0 > r1:
            return []
        cols = self.columns
        if c0 == 0 and c1 == cols - 1:  # whole grid rows: one run
            return [(r0 * cols, min(count - 1, r1 * cols + cols - 1))]
        runs = []
        for grid_row in range(r0, r1 + 1):
            first = grid_row * cols + c0
            last = min(count - 1, grid_row * cols + c1)
            if first <= last:
                runs.append((first, last))
        return runs

    # ---- moving through the grid --------------------------------------------------------------

    def row_below(self, row: int, step: int, count: int) -> int:
        """``step`` rows on from ``row``. Past the end: the last grid row, in the same column
        when it reaches that far, else its last cell; already on the last grid row: stay."""
        if row + step < count:
            return row + step
        cols = self.columns
        last_grid_row = (count - 1) // cols
        if row // cols == last_grid_row:
            return row
        same_column = last_grid_row * cols + row % cols
        return min(count - 1, same_column)

    def top_anchor(self, y: int, count: int) -> tuple[int, int] | None:
        """For a view scrolled to ``y``: the first cell of the top grid row that shows, and how
        far ``y`` is past that cell's top (negative: the spacing above it shows). None at the
        very top or with no cells: nothing to keep in place."""
        if y <= 0 or count == 0:
            return None
        first, _last = self.grid_row_span(y, y, count)
        row = min(first, self.grid_rows(count) - 1) * self.columns
        return row, y - self.cell(row)[1]
