"""What the list models share: named roles, a flat ``data()``, thumbnails fetched once per key.

napari's manner: a model's item roles are an ``IntEnum`` of named constants, ``roleNames``
is made from it, and ``data()`` is one flat lookup from the role to a small function of the
row's item. FeelUOwn's manner: ``data()`` returns the cached ``QImage`` or nothing, the image is
decoded once per key in the background, the rows that asked are re-found by id when it lands
and ``dataChanged`` is emitted for those rows only. A key whose decode failed is remembered and
never tried again (a painter asks on every repaint, so a retry would decode in a loop).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage

from .thumbnail_cache import BackgroundImageLoader, ImageCache

__all__ = ["RoleListModel", "role_names"]

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def role_names(roles: type[enum.IntEnum]) -> dict[int, bytes]:
    """``{role: b"camelCaseName"}`` for each member of ``roles`` (``HasAudio`` → ``hasAudio``)."""
    return {int(r): (r.name[0].lower() + r.name[1:]).encode() for r in roles}


class RoleListModel(QAbstractListModel):
    """A flat list of plain items (``self._rows``) with named roles and background thumbnails.

    A subclass sets ``ROLES`` (its role enum) and ``THUMBNAIL_ROLE``, implements
    :meth:`role_table` (role → function of the item, asked once) and :meth:`row_of` (an item
    id's row, or -1), and calls :meth:`thumbnail` from its thumbnail role. GUI thread only.
    """

    ROLES: ClassVar[type[enum.IntEnum]]
    THUMBNAIL_ROLE: ClassVar[int]

    def __init__(
        self,
        cache: ImageCache,
        loader: BackgroundImageLoader,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._rows: list[Any] = []
        self.cache = cache
        self.loader = loader
        loader.setParent(self)
        loader.loaded.connect(self._on_loader_loaded)
        loader.failed.connect(self._on_loader_failed)
        self._missing: set[str] = set()
        self._ids_of_key: dict[str, set[str]] = {}
        self._getters: dict[int, Callable[[Any], Any]] = {
            int(role): getter for role, getter in self.role_table().items()
        }

    # ---- for subclasses -----------------------------------------------------------------------

    def role_table(self) -> Mapping[int, Callable[[Any], Any]]:
        """Each role this model answers, with the function of a row's item that answers it."""
        raise NotImplementedError

    def row_of(self, item_id: str) -> int:
        """The row of the item ``item_id``, or -1."""
        raise NotImplementedError

    # ---- Qt overrides -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:  # Qt override
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, bytes]:  # Qt override
        names = dict(super().roleNames())
        names.update(role_names(self.ROLES))
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Qt override
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        getter = self._getters.get(role)
        return None if getter is None else getter(self._rows[index.row()])

    # ---- rows ---------------------------------------------------------------------------------

    def changed_row(self, item_id: str | None, roles: Iterable[int]) -> None:
        """Emit ``dataChanged`` for the row of ``item_id`` alone (nothing when it is gone)."""
        row = self.row_of(item_id) if item_id is not None else -1
        if row < 0:
            return
        index = self.index(row)
        self.dataChanged.emit(index, index, [int(r) for r in roles])

    # ---- thumbnails ---------------------------------------------------------------------------

    def thumbnail(self, key: str, item_id: str, decode: Callable[[], QImage]) -> QImage | None:
        """The cached image for ``key``; else ``None``, after asking the loader to run
        ``decode`` (in a worker) unless it is already on it or failed for ``key`` before.
        When the image lands, the rows of the items that asked are repainted."""
        image = self.cache.get(key)
        if image is not None:
            return image
        if key not in self._missing:
            self._ids_of_key.setdefault(key, set()).add(item_id)
            if not self.loader.is_pending(key):
                self.loader.request(key, decode)
        return None

    def thumbnail_failed(self, key: str) -> bool:
        """Whether decoding ``key`` failed (it will not be tried again)."""
        return key in self._missing

    def forget_thumbnail_requests(self) -> None:
        """The rows changed wholesale: results still on their way are stale, drop them."""
        self.loader.reset()
        self._ids_of_key.clear()

    def _on_loader_loaded(self, key: str, image: QImage | None) -> None:
        if image is None or image.isNull():  # cached, it would read as a miss and loop
            self._on_loader_failed(key, "no image")
            return
        self.cache.put(key, image)
        for item_id in self._ids_of_key.pop(key, ()):
            self.changed_row(item_id, [self.THUMBNAIL_ROLE])

    def _on_loader_failed(self, key: str, _message: str) -> None:
        self._missing.add(key)
        self._ids_of_key.pop(key, None)
