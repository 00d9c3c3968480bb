"""The image drop zone: drop a file or an image URL, paste, or click to browse.

Reading the picture happens off the GUI thread: a worker runs the media layer's check
(``media.image.prepare_image_file``), which names any problem with its limit, and makes the
preview from the pixels that check decodes (a 33-megapixel image is decoded once, not once by
Qt for the preview and again by Pillow); ``QImageReader`` decodes a preview only for what the
check did not decode. ``QImage`` may cross threads, ``QPixmap`` never.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QMimeData, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QImageReader, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from ..core import limits
from ..core.problems import InvalidInputError
from .async_bridge import TaskKeeper, run_blocking
from .icons import icon
from .plain_text import plain_label
from .text_buttons import text_tool_button
from .theme import apply_style, set_role, set_style_property

__all__ = ["IMAGE_FILTER", "ImageDropZone", "ImageInfo", "read_image"]

PREVIEW_MAX_SIDE = 1024
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)"
_seq = itertools.count(1)


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the worker learnt about an image file (plain data + a ``QImage`` preview)."""

    path: str
    preview: QImage | None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    size_bytes: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.width and self.height:
            parts.append(f"{self.width} × {self.height}")
        if self.format:
            parts.append(self.format)
        if self.size_bytes is not None:
            parts.append(_human_size(self.size_bytes))
        parts.append(Path(self.path).name)
        return " · ".join(parts)


def _human_size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _check_with_media(
    path: str, preview_side: int, previews: list[QImage]
) -> tuple[int | None, int | None, str | None, list[str], str | None]:
    """(width, height, format, notes, problem) from the media layer; the preview made from
    its decode is added to ``previews`` (nothing when it decoded nothing)."""
    from ..media import image as media_image  # imported late: heavy (Pillow), worker thread only

    def on_decoded(pixels) -> None:
        preview = _qimage_of(media_image.fitted_preview(pixels, preview_side))
        if preview is not None:
            previews.append(preview)

    try:
        prepared = media_image.prepare_image_file(path, on_decoded=on_decoded)
    except InvalidInputError as exc:
        return None, None, None, [], "; ".join(p.message for p in exc.problems)
    return prepared.width, prepared.height, prepared.format, list(prepared.notes), None


_QIMAGE_FORMATS = {
    "RGB": (QImage.Format.Format_RGB888, 3),
    "RGBA": (QImage.Format.Format_RGBA8888, 4),
    "L": (QImage.Format.Format_Grayscale8, 1),
}


def _qimage_of(picture) -> QImage | None:
    """A Pillow picture (``RGB``, ``RGBA`` or ``L``; ``None`` passes through) as a ``QImage``
    that owns its pixels. Any thread."""
    if picture is None or picture.mode not in _QIMAGE_FORMATS:
        return None
    fmt, channels = _QIMAGE_FORMATS[picture.mode]
    data = picture.tobytes()
    width, height = picture.size
    # copy(): the QImage must own its pixels, not borrow ``data`` past this call.
    return QImage(data, width, height, width * channels, fmt).copy()


def _read_preview(reader: QImageReader, size: QSize, preview_side: int) -> QImage | None:
    """Qt's own decode of a preview: for what the media check did not decode (the same file
    checked moments before, a refused or unusual image)."""
    if size.isValid() and max(size.width(), size.height()) > preview_side:
        reader.setScaledSize(
            size.scaled(QSize(preview_side, preview_side), Qt.AspectRatioMode.KeepAspectRatio)
        )
    preview = reader.read()
    return None if preview.isNull() else preview


def read_image(path: str, preview_side: int = PREVIEW_MAX_SIDE) -> ImageInfo:
    """Check ``path`` against the API's limits and make a preview of it (at most
    ``preview_side`` pixels a side), from one decode of the file where the check decodes it.
    Worker thread only."""
    p = Path(path)
    try:
        size_bytes = p.stat().st_size
    except OSError as exc:
        return ImageInfo(path, None, problem=f"Image: cannot read {p.name} ({exc.strerror}).")
    reader = QImageReader(str(p))
    reader.setAutoTransform(True)
    fmt = bytes(reader.format().data()).decode().upper() or None
    size = reader.size()  # the header only
    width = size.width() if size.isValid() else None
    height = size.height() if size.isValid() else None
    problem: str | None = None
    notes: list[str] = []
    previews: list[QImage] = []
    try:
        mw, mh, mfmt, notes, problem = _check_with_media(str(p), preview_side, previews)
        width, height, fmt = mw or width, mh or height, mfmt or fmt
        preview = previews[0] if previews else _read_preview(reader, size, preview_side)
    except ImportError:
        preview = _read_preview(reader, size, preview_side)
        problem = _basic_check(width, height, fmt, size_bytes, preview is None, p.name)
    if preview is not None and notes and preview.hasAlphaChannel():
        preview = _on_white(preview)  # the media layer sends transparent areas as white
    if preview is None and problem is None:
        problem = f"Image: {p.name} could not be read as an image (JPEG, PNG, WebP or BMP)."
    if fmt == "JPG":
        fmt = "JPEG"
    return ImageInfo(str(p), preview, width, height, fmt, size_bytes, problem, notes)


def _on_white(image: QImage) -> QImage:
    """``image`` composited onto white, as the converted file will look (any thread)."""
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(Qt.GlobalColor.white)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    return flat


def _basic_check(
    w: int | None, h: int | None, fmt: str | None, size: int, unreadable: bool, name: str
) -> str | None:
    # Only used while media.image is not installed; the media layer is the real check.
    if unreadable or w is None or h is None:
        return f"Image: {name} could not be read as an image (JPEG, PNG, WebP or BMP)."
    if min(w, h) < limits.IMAGE_MIN_SIDE_PX:
        return f"Image is {w} × {h} px; each side must be at least {limits.IMAGE_MIN_SIDE_PX} px."
    if max(w, h) > limits.IMAGE_MAX_SIDE_PX:
        return f"Image is {w} × {h} px; each side must be at most {limits.IMAGE_MAX_SIDE_PX} px."
    if size > limits.IMAGE_MAX_BYTES:
        return f"Image is {_human_size(size)}; the limit is {_human_size(limits.IMAGE_MAX_BYTES)}."
    return None


class _Preview(QWidget):
    """Paints the preview scaled to fit, centred, keeping the aspect ratio (scaled once per
    size, not on every paint)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image: QImage | None = None
        self._scaled: QImage | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._scaled = None
        self.update()

    def paintEvent(self, _event) -> None:  # Qt override
        if self._image is None or self._image.isNull():
            return
        target = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if self._scaled is None or self._scaled.size() != target:
            self._scaled = self._image.scaled(
                target,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        painter = QPainter(self)
        x = (self.width() - target.width()) // 2
        y = (self.height() - target.height()) // 2
        painter.drawImage(x, y, self._scaled)


class ImageDropZone(QFrame):
    """Holds the input image. ``imageChanged`` fires when the image, its problem or the
    loading state changes. ``source()`` is the local path to send (``None`` when empty)."""

    imageChanged = Signal()

    def __init__(self, tasks: TaskKeeper, cache_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageDropZone")
        apply_style(self, "dropZone")
        self.setAccessibleName("Input image")
        self.setAccessibleDescription("Drop an image, paste one, or click to browse")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(180)
        self._tasks = tasks
        self._cache_dir = Path(cache_dir)
        self._info: ImageInfo | None = None
        self._loading: str | None = None
        self._token = 0
        self.last_task = None

        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._build_empty_state())
        self._stack.addWidget(self._build_loaded_state())

        self.replace_button.clicked.connect(self._on_replace_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)

    def _build_empty_state(self) -> QWidget:
        """What the zone shows with no image: what to drop, and the limits."""
        empty = QWidget()
        icon_label = QLabel()
        icon_label.setProperty("svgPixmap", "image")
        icon_label.setProperty("svgPixmapSize", 48)
        icon_label.setPixmap(icon("image").pixmap(48, 48))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("<b>Drop an image here</b>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("or paste it (Ctrl+V), drop an image link, or click to browse")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        rules = QLabel(
            "JPEG, PNG, WebP or BMP · "
            f"{limits.IMAGE_MIN_SIDE_PX}–{limits.IMAGE_MAX_SIDE_PX} px a side · "
            f"up to {limits.IMAGE_MAX_BYTES // 1_000_000} MB"
        )
        set_role(rules, "muted")
        rules.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rules.setWordWrap(True)
        layout = QVBoxLayout(empty)
        layout.addStretch(1)
        for w in (icon_label, title, hint, rules):
            layout.addWidget(w)
        layout.addStretch(1)
        return empty

    def _build_loaded_state(self) -> QWidget:
        """What the zone shows with an image: its preview, details, problem and buttons."""
        loaded = QWidget()
        self._preview = _Preview()
        self.info_label = plain_label(QLabel())
        self.info_label.setObjectName("imageInfoLabel")
        self.info_label.setAccessibleName("Image details")
        set_role(self.info_label, "muted")
        self.problem_label = plain_label(QLabel())
        self.problem_label.setObjectName("imageProblemLabel")
        self.problem_label.setAccessibleName("Image problem")
        set_role(self.problem_label, "error")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        self.note_label = plain_label(QLabel())
        self.note_label.setObjectName("imageNoteLabel")
        self.note_label.setAccessibleName("Image note")
        set_role(self.note_label, "muted")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.hide()
        self.replace_button = text_tool_button(
            "imageReplaceButton", "Replace image", "Replace…", "open"
        )
        self.clear_button = text_tool_button("imageClearButton", "Clear image", "Clear", "close")
        bar = QHBoxLayout()
        bar.addWidget(self.info_label, 1)
        bar.addWidget(self.replace_button)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(loaded)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._preview, 1)
        layout.addLayout(bar)
        layout.addWidget(self.note_label)
        layout.addWidget(self.problem_label)
        return loaded

    # ---- state ----------------------------------------------------------------------------

    def source(self) -> str | None:
        """Local path of the image to send, or ``None``."""
        return self._info.path if self._info else None

    def info(self) -> ImageInfo | None:
        return self._info

    def problem(self) -> str | None:
        """Why this image cannot be sent (with the limit), or ``None``."""
        if self._loading:
            return None
        return self._info.problem if self._info else None

    def is_loading(self) -> bool:
        return self._loading is not None

    def preview_image(self) -> QImage | None:
        return self._info.preview if self._info else None

    # ---- loading --------------------------------------------------------------------------

    def load(self, text: str) -> None:
        """Load a path, a ``file://`` URL or an ``https://`` image link."""
        text = text.strip()
        if text.startswith(("http://", "https://")):
            self._start(self._load_url(text), f"Downloading {text}")
        else:
            if text.startswith("file://"):
                text = QUrl(text).toLocalFile()
            self._start(self._load_path(text), f"Reading {Path(text).name}")

    def load_image(self, image: QImage) -> None:
        """Use pasted image data: saved as a PNG in the app cache first."""
        self._start(self._save_and_load(image), "Reading the pasted image")

    def clear(self) -> None:
        self._token += 1
        self._info = None
        self._loading = None
        self._preview.set_image(None)
        self._set_invalid(False)
        self._stack.setCurrentIndex(0)
        self.imageChanged.emit()

    def paste(self) -> bool:
        """Take an image, an image file or a link from the clipboard. ``False`` if none."""
        return self._accept_mime(QApplication.clipboard().mimeData())

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose an image", "", IMAGE_FILTER)
        if path:
            self.load(path)

    def _start(self, coro, status: str) -> None:
        self._token += 1
        self._loading = status
        self.info_label.setText(status + " …")
        self.imageChanged.emit()
        self.last_task = self._tasks.spawn(coro, "Load image", self)

    async def _load_path(self, path: str) -> None:
        token = self._token
        try:
            info = await run_blocking(read_image, path)
        except BaseException:
            if token == self._token:
                self._loading = None
                self.imageChanged.emit()
            raise
        if token == self._token:  # a newer image replaced this one meanwhile
            self._show(info)

    async def _load_url(self, url: str) -> None:
        token = self._token
        try:
            data, name = await self._fetch(url)
            dest = (
                self._cache_dir / "inputs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{next(_seq)}-{name}"
            )
            await run_blocking(_write, dest, data)
        except Exception as exc:
            if token == self._token:
                self._loading = None
                self._show(
                    ImageInfo(url, None, problem=f"Image: could not download {url} ({exc}).")
                )
            return
        if token == self._token:
            await self._load_path(str(dest))

    async def _fetch(self, url: str) -> tuple[bytes, str]:
        import httpx

        name = Path(urlsplit(url).path).name or "image"
        try:
            from ..media.fetch import fetch_image
        except ImportError:
            fetch_image = None
        async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:
            if fetch_image is not None:
                data, _mime = await fetch_image(
                    url, client=client, max_bytes=limits.IMAGE_MAX_BYTES
                )
                return data, name
            response = await client.get(url)
            response.raise_for_status()
            if len(response.content) > limits.IMAGE_MAX_BYTES:
                raise ValueError(f"larger than {limits.IMAGE_MAX_BYTES // 1_000_000} MB")
            return response.content, name

    async def _save_and_load(self, image: QImage) -> None:
        token = self._token
        dest = (
            self._cache_dir / "inputs" / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{next(_seq)}.png"
        )
        await run_blocking(_save_qimage, image, dest)
        if token == self._token:
            await self._load_path(str(dest))

    def _show(self, info: ImageInfo) -> None:
        self._loading = None
        self._info = info
        self._preview.set_image(info.preview)
        self.info_label.setText(info.summary())
        self.info_label.setToolTip("\n".join([info.path, *info.notes]))
        # What the app does to the image before sending it (converted to PNG, transparency
        # filled with white...): the user sees it here, not only in a tooltip.
        self.note_label.setText("\n".join(info.notes))
        self.note_label.setVisible(bool(info.notes) and not info.problem)
        self.problem_label.setText(info.problem or "")
        self.problem_label.setVisible(bool(info.problem))
        self._set_invalid(bool(info.problem))
        self._stack.setCurrentIndex(1)
        self.imageChanged.emit()

    def _set_invalid(self, invalid: bool) -> None:
        set_style_property(self, "invalid", invalid)

    # ---- drag, drop, click ----------------------------------------------------------------

    def _accept_mime(self, mime: QMimeData | None) -> bool:
        if mime is None:
            return False
        if mime.hasUrls():
            for url in mime.urls():
                if url.isLocalFile():
                    self.load(url.toLocalFile())
                    return True
                if url.scheme() in ("http", "https"):
                    self.load(url.toString())
                    return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.load_image(image)
                return True
        if mime.hasText():
            text = mime.text().strip().splitlines()[0] if mime.text().strip() else ""
            if text.startswith(("http://", "https://", "file://")) or (
                text and Path(text).is_file()
            ):
                self.load(text)
                return True
        return False

    @staticmethod
    def _acceptable(mime: QMimeData) -> bool:
        return mime.hasUrls() or mime.hasImage() or mime.hasText()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()
            self._set_drag_active(True)

    def dragMoveEvent(self, event) -> None:  # Qt override
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, _event) -> None:  # Qt override
        self._set_drag_active(False)

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        self._set_drag_active(False)
        if self._accept_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _set_drag_active(self, active: bool) -> None:
        set_style_property(self, "dragActive", active)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton and self._info is None:
            self.browse()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:  # Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.browse()
            return
        if event.key() == Qt.Key.Key_Delete:
            self.clear()
            return
        super().keyPressEvent(event)

    def _on_replace_button_clicked(self) -> None:
        self.browse()

    def _on_clear_button_clicked(self) -> None:
        self.clear()


def _write(dest: Path, data: bytes) -> None:
    from ..core.atomic import atomic_write_bytes

    atomic_write_bytes(dest, data)


def _save_qimage(image: QImage, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    if not image.save(str(tmp), "PNG"):
        raise OSError(f"could not save the pasted image to {dest}")
    with contextlib.suppress(FileNotFoundError):
        tmp.replace(dest)
