"""The window follows the live service: the services start the live refresher for the engine
in use, and each schema and price it applies reaches the composer (counter, More options, the
price line) on the GUI thread."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from PySide6.QtWidgets import QWidget
from test_composer_live import EXTRAS, _doc

from wan_desktop.app import Services, _follow_live_service
from wan_desktop.core.model_schema import current_schema, set_current_schema
from wan_desktop.core.pricing import current_price, set_current_price
from wan_desktop.core.secrets import KeyStore
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui.composer import Composer


@pytest.fixture
def restore_tables():
    before, price = current_schema(), current_price()
    yield
    set_current_schema(before)
    set_current_price(price)


def _services(paths, *, offline: bool = False) -> Services:
    services = Services(paths, SettingsStore.load(paths), KeyStore(paths))
    services.backend = SimpleNamespace(
        offline=offline, key="secret-key", base_url="http://127.0.0.1:9999"
    )
    return services


def test_the_target_follows_the_engine(paths, monkeypatch):
    monkeypatch.setenv("FAL_PLATFORM_URL", "https://platform.test/v1")
    target = _services(paths).live_target()
    assert target.platform_url == "https://platform.test/v1"
    assert target.key == "secret-key" and not target.offline
    offline = _services(paths, offline=True).live_target()
    assert offline.platform_url == "http://127.0.0.1:9999/v1" and offline.offline
    monkeypatch.setenv("FAL_PLATFORM_URL", "ftp://nowhere")
    assert _services(paths).live_target() is None  # the bundled table stays


def test_a_live_schema_reaches_the_composer(qtbot, tasks, paths, monkeypatch, restore_tables):
    monkeypatch.setenv("FAL_PLATFORM_URL", "https://platform.test/v1")
    doc = _doc(prompt_max=1200, **EXTRAS)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            model = {"endpoint_id": request.url.params["endpoint_id"], "openapi": doc}
            return httpx.Response(200, json={"models": [model]})
        prices = [{"endpoint_id": "x", "unit_price": 0.06, "unit": "second", "currency": "USD"}]
        prices[0]["endpoint_id"] = request.url.params["endpoint_id"]
        return httpx.Response(200, json={"prices": prices})

    composer = Composer(tasks, paths.cache)
    qtbot.addWidget(composer)
    composer.show()
    composer.prompt.set_text("a" * 123)
    assert composer.prompt.counter.text() == "123 / 1500"
    services = _services(paths)
    window = SimpleNamespace(composer=composer)
    _follow_live_service(window, services, tasks, httpx.MockTransport(answer))
    qtbot.waitUntil(lambda: composer.prompt.counter.text() == "123 / 1200", timeout=5000)
    assert composer.findChild(QWidget, "moreOptions").isVisible()
    assert "fal's price for your account" in composer.cost.text()
    tasks.cancel_all()


def test_the_runner_gets_the_advanced_preferences(paths, run, monkeypatch):
    import wan_desktop.jobs.queue_host as queue_host
    import wan_desktop.jobs.runner as runner_module

    made = {}

    class _Runner:
        def __init__(self, library, backend, **options):
            made.update(options)

    async def _start(self, runner, library):
        return None

    monkeypatch.setattr(runner_module, "JobRunner", _Runner)
    monkeypatch.setattr(queue_host.QueueHost, "start", _start)
    services = _services(paths)
    services.store.set_settings(services.settings.replace(start_timeout_min=5, upload_expiry_h=2))
    services.library = SimpleNamespace(root=paths.library)
    run(services._start_runner())
    assert made["start_timeout_s"] == 300.0 and made["upload_expiry_s"] == 7200
