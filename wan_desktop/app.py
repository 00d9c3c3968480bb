"""Composition root of the window: the QApplication, the qasync loop, the services, the window.

``run_window(image)`` is what ``wan-desktop [IMAGE]`` calls. Start-up is ordered so the window
is on screen as early as possible, then fills in:

1. the QApplication, the theme and the window's frame (menus, status line, the panes laid out
   at their remembered sizes), painted on Qt's own event loop (``_paint_now``) before the
   panes' modules, asyncio and qasync are imported;
2. the composer, the player and the jobs panel, built into their panes and painted;
3. the log file, then the qasync loop; on it, behind the window: the library (and its pane),
   Qt Multimedia, then the engine (fal or the offline engine) and the job runner.

Before any of it, ``faulthandler`` writes the stack of every thread into ``crash.log`` in the
logs folder if the process dies of a fatal signal (a crash inside Qt leaves no Python
traceback): the file stays open for the process's life.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    import httpx
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtCore import QSize as QSizeType
    from PySide6.QtWidgets import QApplication, QWidget

    from .core.paths import AppPaths
    from .core.secrets import KeyStore
    from .core.settings import Settings
    from .core.settings_store import SettingsStore
    from .jobs.backend import Backend
    from .jobs.live_refresher import LiveRefresher
    from .jobs.live_service import ServiceInfo, ServiceTarget
    from .jobs.queue_host import QueueHost
    from .jobs.runner import JobRunner
    from .library import Library
    from .library.comment_sync import CommentSync
    from .ui.async_bridge import TaskKeeper
    from .ui.main_window import MainWindow

__all__ = ["CRASH_LOG_NAME", "Services", "build_application", "enable_crash_log", "run_window"]

log = logging.getLogger(__name__)

#: faulthandler's file in the logs folder: the stacks of a crash (segfault, abort).
CRASH_LOG_NAME = "crash.log"
#: Past this size the file is moved to ``crash.log.1`` at the next start (one start line each).
CRASH_LOG_MAX_BYTES = 256 * 1024
_crash_log = None  # the open file faulthandler writes to; never closed while the process runs


class Services:
    """The Qt-free services the window drives (it sees them as ``ui.window_services.
    WindowServices``). ``store`` is the only writer of the settings and window-state files;
    ``library``, ``backend`` and ``runner`` are ``None`` until started. Every method runs on
    the loop thread. (A plain class: a dataclass costs the first paint ~1.5 ms to define.)

    ``key_store`` is made on first use when not given: nothing before the first paint needs
    the key, and its module (with its dataclass) cost that paint ~2 ms."""

    def __init__(
        self, paths: AppPaths, store: SettingsStore, key_store: KeyStore | None = None
    ) -> None:
        self.paths = paths
        self.store = store
        self._key_store = key_store
        self.library: Library | None = None
        self.backend: Backend | None = None
        self.runner: JobRunner | None = None
        self.offline = False
        self.has_key = False
        self.queue: QueueHost | None = None  # this library's job queue, for the window's life
        self.live: LiveRefresher | None = None  # keeps fal's schema and price current
        # Writes ratings and picks into the videos' comments, a few seconds after the keys.
        self.comment_sync: CommentSync | None = None

    @classmethod
    def from_environment(cls) -> Services:
        """Paths from ``WAN_DESKTOP_HOME`` (or the platform), settings and window state from
        disk; the key store comes on first use."""
        from .core.paths import app_paths
        from .core.settings_store import SettingsStore

        paths = app_paths()
        return cls(paths, SettingsStore.load(paths))

    @property
    def key_store(self) -> KeyStore:
        """Where the fal key is read and written (made on first use)."""
        if self._key_store is None:
            from .core.secrets import KeyStore

            self._key_store = KeyStore(self.paths)
        return self._key_store

    @property
    def settings(self) -> Settings:
        """The preferences in use (the store's)."""
        return self.store.settings

    def library_root(self) -> Path:
        """The library folder the settings name (or the default one)."""
        from .core.settings import library_dir

        return library_dir(self.paths, self.settings)

    async def start(self) -> None:
        """Open the library, pick the backend, start the runner (resuming unfinished jobs)."""
        await self.open_library()
        await self.open_engine()

    async def open_library(self) -> None:
        """Open (or create) the library, in a worker thread. Browsing needs nothing more."""
        from .library import Library
        from .library.comment_pending import PendingFile
        from .library.comment_sync import CommentSync
        from .ui.async_bridge import run_blocking

        await run_blocking(self.paths.ensure)
        self.library = await run_blocking(Library.open, self.library_root())
        # Culling keys update the index and sidecar at once (any pane: grid, contact sheet,
        # compare); the comment follows in the queue's thread, once per clip per burst. The
        # entries still to write are noted on disk, and what a killed run left is adopted
        # (file reads and a write: in a worker).
        self.comment_sync = await run_blocking(
            CommentSync, self.library.sync_comment, pending_file=PendingFile(self.library.root)
        )
        self.library.on_judged(self.comment_sync.changed, before=self.comment_sync.note)

    async def open_engine(self) -> None:
        """Pick the backend (fal, or start the offline engine) and start the job runner."""
        from .fal.client import preload_transport
        from .jobs.backend import open_backend
        from .ui.async_bridge import run_blocking

        source = await run_blocking(self.key_store.get)
        self.has_key = source is not None
        # The HTTP stack's lazy imports, in a worker thread now rather than on the loop (the
        # GUI thread) during the first job.
        await run_blocking(preload_transport)
        if source is not None:
            from .core.logs import register_secret

            register_secret(source.key)  # never in a log line, whatever prints it
        self.backend = await open_backend(self.paths, self.settings, self.key_store)
        self.offline = bool(self.backend.offline)
        try:
            self.runner = await self._start_runner()
        except BaseException:
            backend, self.backend = self.backend, None
            await backend.close()  # never leave the offline engine's thread behind
            raise

    async def _start_runner(self) -> JobRunner:
        from .jobs.runner import JobRunner

        assert self.library is not None and self.backend is not None
        from .core.budget import SpendLedger, ledger_path

        runner = JobRunner(
            self.library,
            self.backend,
            concurrency=self.settings.concurrency,
            upload_threshold_bytes=self.settings.upload_threshold_bytes,
            start_timeout_s=self.settings.start_timeout_s(),
            upload_expiry_s=self.settings.upload_expiry_s(),
            caps=self.settings.caps(),
            ledger=SpendLedger(ledger_path(self.paths)),
        )
        from .jobs.queue_host import QueueHost

        if self.queue is None:
            self.queue = QueueHost(self.library.root)
        # Waits while a `generate` or `jobs resume` runs this library's jobs.
        await self.queue.start(runner, self.library)
        return runner

    async def _close_engine(self) -> None:
        runner, self.runner = self.runner, None
        backend, self.backend = self.backend, None
        if self.queue is not None:
            await self.queue.stop_serving()
        if runner is not None:
            await runner.close()
        if backend is not None:
            await backend.close()

    async def reconfigure(self, key_changed: bool) -> None:
        """Restart the engine with the stored settings (a new key, backend or queue URL)."""
        await self._close_engine()
        await self.open_engine()
        target = self.live_target()
        if self.live is not None and target is not None:
            self.live.set_target(target)  # a new key or service: ask fal again at once

    def live_target(self) -> ServiceTarget | None:
        """Whom to ask for the schema and price: the engine in use with its key (the offline
        engine's Platform API on loopback); ``None`` before the engine runs or when
        ``FAL_PLATFORM_URL`` is malformed (the bundled table then stays)."""
        from .core.endpoints import resolve_platform_url
        from .jobs.live_service import ServiceTarget

        if self.backend is None:
            return None
        if self.backend.offline:
            url = self.backend.base_url.rstrip("/") + "/v1"
        else:
            try:
                url = resolve_platform_url()
            except ValueError as exc:
                log.warning("%s", exc)
                return None
        return ServiceTarget(url, self.backend.key or None, offline=self.backend.offline)

    def start_live(
        self,
        on_update: Callable[[ServiceInfo], None],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> LiveRefresher | None:
        """The live refresher for the engine in use (``None`` without a target); the caller
        runs ``refresher.run()`` as a task. ``on_update`` runs on the loop thread after each
        resolved table and price were applied. ``transport``: tests fake fal with it."""
        from .jobs.live_refresher import LiveRefresher

        target = self.live_target()
        if target is None:
            return None
        self.live = LiveRefresher(self.paths, target, on_update, transport=transport)
        return self.live

    async def close(self) -> None:
        """Stop the runner and the engine; unfinished jobs stay resumable."""
        await self._close_engine()
        if self.queue is not None:
            await self.queue.close()
        if self.comment_sync is not None:
            from .ui.async_bridge import run_blocking

            sync, self.comment_sync = self.comment_sync, None
            await run_blocking(sync.close)  # the comments still waiting, before the index closes
        if self.library is not None:
            library, self.library = self.library, None
            library.close()


def build_application(argv: list[str] | None = None):
    """The ``QApplication`` (an existing one is reused), named, themed, logs quieted."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    style_set = app is None
    if app is None:
        # Fusion is chosen on Qt's command line: QApplication.setStyle() hands a QStyle to
        # Python, and setting up that type costs ~10 ms before the first paint.
        app = QApplication([*(argv or sys.argv[:1]), "-style", "Fusion"])
    app.setApplicationName("wan-desktop")
    app.setApplicationDisplayName("Wan Desktop")
    app.setDesktopFileName("io.github.wan_desktop.WanDesktop")
    from .ui.theme import ThemeManager

    if not hasattr(app, "_wan_theme"):
        app._wan_theme = ThemeManager(  # type: ignore[attr-defined]
            app, set_style=not style_set, guess_system=style_set
        )
    return app


def _set_application_icon(app: QApplication) -> None:
    """The icon of every window of the app (the title bar, the task switcher)."""
    from PySide6.QtGui import QIcon

    from .ui.resources import RESOURCES

    icon_path = RESOURCES / "icons" / "wan-desktop.svg"
    if icon_path.exists():
        app.setWindowIcon(QIcon(str(icon_path)))


async def _start_services(window: MainWindow, services: Services, tasks: TaskKeeper) -> None:
    """After the first paint: the library (and its pane), then the engine and the runner."""
    import importlib

    from .ui.async_bridge import run_blocking

    # The pane's modules load in a worker thread; only building its widgets happens here.
    module = await run_blocking(importlib.import_module, "wan_desktop.ui.library_pane")
    await services.open_library()
    if window.library_actions is None:
        module.install_library(window, tasks)
    assert window.library_actions is not None
    window.library_actions.set_library(services.library)
    try:
        await services.open_engine()
    except Exception as exc:
        window.set_engine_problem(f"The engine could not start: {exc}")
        raise
    assert services.runner is not None
    window.attach_runner(services.runner, services.offline)
    _follow_live_service(window, services, tasks)
    # The library pane, the engine and the runner live as long as the window, like what
    # start-up made before the first paint: leave them out of later collections too.
    gc.freeze()


def _follow_live_service(
    window: MainWindow,
    services: Services,
    tasks: TaskKeeper,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Keep fal's schema and price current in the background; each resolve updates the
    composer (counters, choices, "More options", the price line) on the GUI thread."""

    def on_update(info: ServiceInfo) -> None:
        window.composer.apply_schema(info.schema)
        window.composer.apply_price()

    refresher = services.start_live(on_update, transport)
    if refresher is not None:
        tasks.spawn(refresher.run(), "Follow fal's schema and price")


def _paint_now(widget: QWidget, timeout_ms: int = 1000) -> None:
    """Run Qt's own event loop until ``widget`` has painted once (at most ``timeout_ms``).

    Start-up uses it before asyncio is even imported, so what is built so far is on screen
    while the rest is set up. Input waits in the queue (excluded here) until the qasync loop
    takes over a moment later.
    """
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    loop = QEventLoop()

    class _Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
            if obj is widget and event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, loop.quit)  # after this paint has finished
            return False

    watch = _Painted()
    widget.installEventFilter(watch)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    widget.removeEventFilter(watch)


async def _main(
    window: MainWindow,
    services: Services,
    tasks: TaskKeeper,
    image: str | None,
    screenshot: str | None,
    smoke: bool,
) -> int:
    import asyncio

    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from .ui.async_bridge import install_exception_handler
    from .ui.screenshots import save_screenshot
    from .ui.shutdown import QuitGuard

    app = QApplication.instance()
    install_exception_handler(asyncio.get_running_loop(), tasks)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    # QApplication.quit() and the quit signals land here too: the services close below, on
    # the loop, before it stops.
    guard = QuitGuard(app, closed.set)
    if image:
        window.composer.drop_zone.load(image)
    start = tasks.spawn(_start_services(window, services, tasks), "Start the engine")
    code = 0
    try:
        if screenshot or smoke:
            code = await _one_shot(window, start, screenshot, smoke, save_screenshot, QSize)
            window.close()
        else:
            # After the engine started: the welcome then knows whether a key is set.
            start.add_done_callback(lambda _task: window.maybe_show_welcome())
            await closed.wait()
    finally:
        if window.isVisible():
            window.close()  # a Quit request: the window remembers its layout as on close
        tasks.cancel_all()
        await services.close()
        await asyncio.get_running_loop().shutdown_asyncgens()
        guard.close()
    return code


async def _one_shot(
    window: MainWindow,
    start: asyncio.Task[None],
    screenshot: str | None,
    smoke: bool,
    save_screenshot: Callable[..., object],
    QSize: type[QSizeType],
) -> int:
    """``--screenshot`` / ``--smoke``: wait for the engine, do the one thing, report."""
    import asyncio

    try:
        await asyncio.wait_for(asyncio.shield(start), timeout=30)
    except Exception as exc:
        print(f"wan-desktop: the engine did not start: {exc}", file=sys.stderr)
        return 1
    drop = window.composer.drop_zone
    for _ in range(200):
        if not drop.is_loading():
            break
        await asyncio.sleep(0.05)
    if smoke:
        ok = await _smoke_play(window)
        if not ok:
            print("wan-desktop: smoke test failed: no video frame was shown", file=sys.stderr)
            return 1
        print("wan-desktop: smoke test passed")
    if screenshot:
        path = Path(screenshot)
        window.resize(QSize(1280, 800))
        await asyncio.sleep(0.5)  # layouts, the library's first page and thumbnails land
        save_screenshot(window, path.stem, path.parent or Path("."), settle=False)
        print(f"wan-desktop: saved {path.parent / (path.stem + '.png')}")
    return 0


async def _smoke_play(window: MainWindow) -> bool:
    """Play one frame of a tiny clip made with PyAV (proves Qt Multimedia works)."""
    import asyncio
    import tempfile

    from .ui.async_bridge import run_blocking

    player = window.player
    if player.engine is None:
        print(f"wan-desktop: {player.unavailable_reason}", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory(prefix="wan-smoke-") as folder:
        clip = Path(folder) / "smoke.mp4"
        await run_blocking(_make_clip, clip)
        player.load(str(clip))
        try:
            for _ in range(200):
                if player.engine.frames_received > 0:
                    return True
                await asyncio.sleep(0.05)
            return False
        finally:
            player.unload()


def _make_clip(path: Path) -> None:
    import av
    from PIL import Image

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(12):
            frame = av.VideoFrame.from_image(Image.new("RGB", (160, 96), (20 * i, 80, 160)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _install_excepthook() -> None:
    """An unexpected exception in a Qt slot is logged (redacted) and shown in a dialog; the
    app keeps running and the job queue is untouched (it lives in the database)."""
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        log.critical("unexpected error", exc_info=(kind, value, tb))
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            app = QApplication.instance()
            if app is not None and app.platformName() != "offscreen":
                QMessageBox.critical(
                    None,
                    "Unexpected error",
                    f"Something went wrong: {value}\n\nYour jobs and library are safe. The "
                    "details are in the log (Help → Open logs folder).",
                )
        except Exception:
            previous(kind, value, tb)

    sys.excepthook = hook


def run_window(image: str | None = None, screenshot: str | None = None, smoke: bool = False) -> int:
    """Open the window (``image`` preloaded) and run until it closes; returns the exit code.

    ``screenshot``: save the window at 1280×800 to that PNG path and exit. ``smoke``: start
    everything, play one frame, exit 0 (a packaging check).
    """
    with _collection_paused_while_starting():
        app, window, services, tasks = _start_window(screenshot or smoke)
        import asyncio

        import qasync

        from .ui.async_bridge import install_asyncgen_hooks

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_asyncgen_hooks(loop)
    try:
        with loop:
            main = _main(window, services, tasks, image, screenshot, smoke)
            return int(loop.run_until_complete(main))
    finally:
        asyncio.set_event_loop(None)


@contextlib.contextmanager
def _collection_paused_while_starting() -> Iterator[None]:
    """Python's cyclic garbage collector stays off while the window starts.

    Start-up makes tens of thousands of objects that live as long as the window (modules,
    classes, PySide's enum types, widgets), and the collector walked them again and again while
    they were being made: measured, 40–80 ms of CPU before the first paint. Once the window is
    up they are frozen (``gc.freeze``: left out of every later collection, which makes those
    cheaper too) and collection resumes; the little cyclic garbage start-up leaves is kept.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def enable_crash_log(logs: Path) -> Path:
    """Have ``faulthandler`` write a fatal error's stacks (all threads) to ``logs/crash.log``,
    opened now (private to the user, appended to) and kept open for the process's life; a
    line with the time and process id marks each start. Returns the file's path; once per
    process (later calls return the same path). Raises ``OSError`` when the folder or file
    cannot be made. GUI thread, before the QApplication."""
    global _crash_log
    import faulthandler
    import os
    import time

    path = logs / CRASH_LOG_NAME
    if _crash_log is not None:
        return path
    logs.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if path.stat().st_size > CRASH_LOG_MAX_BYTES:
            path.replace(path.with_name(CRASH_LOG_NAME + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    _crash_log = os.fdopen(fd, "a", encoding="utf-8")
    _crash_log.write(f"--- started {time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}\n")
    _crash_log.flush()
    faulthandler.enable(file=_crash_log, all_threads=True)
    return path


def _start_window(offscreen: bool) -> tuple[QApplication, MainWindow, Services, TaskKeeper]:
    """The application, the window painted (its frame, then its panes), the services and the
    task keeper; the log file set up."""
    from . import ui  # noqa: F401 - first: PySide6 with its import hook made cheap (ui/__init__)

    if offscreen:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .core.paths import app_paths

    try:  # first: a crash while Qt starts leaves its stack too
        enable_crash_log(app_paths().logs)
    except OSError as exc:  # an unwritable data folder is said later, by the log file's setup
        print(f"wan-desktop: no crash log: {exc}", file=sys.stderr)
    _install_excepthook()
    app = build_application()
    # Closing the window must not stop the event loop before the services have shut down
    # (the runner leaves unfinished jobs resumable); _main returns after that, ending the loop.
    app.setQuitOnLastWindowClosed(False)

    from .ui.async_bridge import TaskKeeper
    from .ui.main_window import MainWindow

    services = Services.from_environment()
    from .ui.theme import set_scheme_preference

    set_scheme_preference(services.store.first_paint()[0])  # before anything is painted
    tasks = TaskKeeper()
    window = MainWindow(services, tasks, deferred=True)
    window.show()
    _paint_now(window)  # the frame: menus, status line, the panes at their remembered sizes
    app._wan_theme.confirm_system_scheme()  # type: ignore[attr-defined]
    window.finish_building()
    _paint_now(window.composer)  # the panes
    _set_application_icon(app)

    from .core.logs import setup_logging

    # The rotating log file (the key redacted) in the data folder; warnings also on stderr.
    # Set up once the window is on screen: nothing before the first paint logs, and an error
    # there still reaches stderr through logging's last-resort handler.
    setup_logging(services.paths.ensure(), console=True)
    return app, window, services, tasks
