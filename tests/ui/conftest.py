"""Fixtures for the window tests: one qasync loop for the session, a task keeper that fails the
test when a background task raised, test images and clips, and fakes of the services.

One ``QEventLoop(app, already_running=True)`` serves every test (PLATFORM_NOTES: a new qasync
loop per test does not work with ``waitUntil``); ``run`` drives a coroutine on it with
``qtbot.waitUntil(future.done)``. Errors the loop catches are re-raised at teardown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ui_helpers import make_clip, make_image


@pytest.fixture(scope="session")
def qasync_loop(qapp):
    import qasync

    from wan_desktop.ui.async_bridge import install_asyncgen_hooks
    from wan_desktop.ui.player import quiet_multimedia_logs
    from wan_desktop.ui.theme import ThemeManager

    quiet_multimedia_logs()
    qapp._wan_theme = ThemeManager(qapp, forced="light")
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = qasync.QThreadExecutor(4)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    install_asyncgen_hooks(loop)
    errors: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    loop.errors = errors
    yield loop
    executor.shutdown(wait=True)  # no QThread may outlive the session
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _loop_errors(request):
    """Re-raise anything the loop caught during the test (unretrieved task errors...)."""
    if "qasync_loop" not in request.fixturenames:
        yield
        return
    loop = request.getfixturevalue("qasync_loop")
    loop.errors.clear()
    yield
    if loop.errors:
        context = loop.errors[0]
        loop.errors.clear()
        exc = context.get("exception")
        if exc is not None:
            raise exc
        raise AssertionError(context.get("message"))


@pytest.fixture
def run(qasync_loop, qtbot):
    """``run(coro, timeout=10)``: the coroutine's result, driven on the session loop."""

    def _run(coro, timeout: float = 10.0):
        future = asyncio.ensure_future(coro, loop=qasync_loop)
        qtbot.waitUntil(future.done, timeout=int(timeout * 1000))
        return future.result()

    return _run


@pytest.fixture
def tasks(qasync_loop, qtbot):
    """A ``TaskKeeper`` whose failures fail the test."""
    from wan_desktop.ui.async_bridge import TaskKeeper

    keeper = TaskKeeper()
    failures: list[tuple[str, str]] = []
    keeper.failed.connect(lambda what, message: failures.append((what, message)))
    keeper.failures = failures
    yield keeper
    pending = keeper.pending()
    if pending:
        qtbot.waitUntil(lambda: not keeper.pending(), timeout=10000)
    assert not failures, failures


@pytest.fixture(params=["light", "dark"])
def scheme(request, qapp, qasync_loop):
    """Each test that asks for it runs twice, in the light and the dark scheme (the session
    loop's set-up installs the theme manager); the light scheme is back afterwards."""
    theme = qapp._wan_theme
    theme.force(request.param)
    yield request.param
    theme.force("light")


@pytest.fixture
def engine_window(qtbot, run, tasks, wan_home):
    """``(window, services)``: the real services on the offline engine behind a shown main
    window (welcome already done), closed after the test."""
    from wan_desktop.app import Services
    from wan_desktop.ui.main_window import MainWindow

    services = Services.from_environment()
    services.store.set_window(services.store.window.replace(first_run_done=True))
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.show()
    run(services.start(), timeout=30)
    window.attach_runner(services.runner, services.offline)
    yield window, services
    window.player.unload()
    run(services.close(), timeout=30)


@pytest.fixture
def player(tasks, qtbot):
    """A shown ``VideoPlayer`` (640×420) with nothing loaded; unloaded after the test."""
    from wan_desktop.ui.player import VideoPlayer

    widget = VideoPlayer(tasks)
    qtbot.addWidget(widget)
    widget.resize(640, 420)
    widget.show()
    yield widget
    widget.unload()


@pytest.fixture
def restore_schema():
    """The model schema in force before the test is put back after it (a test may install a
    live one)."""
    from wan_desktop.core.model_schema import current_schema, set_current_schema

    before = current_schema()
    yield
    set_current_schema(before)


@pytest.fixture
def paths(wan_home):
    from wan_desktop.core.paths import app_paths

    return app_paths().ensure()


@pytest.fixture
def good_image(tmp_path) -> Path:
    return make_image(tmp_path / "meadow.png", (640, 400))


@pytest.fixture
def small_image(tmp_path) -> Path:
    return make_image(tmp_path / "tiny.png", (120, 90))


@pytest.fixture
def clip(tmp_path) -> Path:
    return make_clip(tmp_path / "clip.mp4", seconds=2.0)
