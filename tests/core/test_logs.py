"""The log file: rotating, mode 0600, and the fal key never reaches it."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from wan_desktop.core import logs
from wan_desktop.core.paths import app_paths

KEY = "0f8e2c1a-3b4d-4e5f-8a9b-1c2d3e4f5a6b:9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
KEY_ID, KEY_SECRET = KEY.split(":")
OTHER = "sk_live_UNREGISTERED_abcdef123456"


@pytest.fixture
def paths(wan_home):
    return app_paths()


@pytest.fixture(autouse=True)
def clean_logging():
    root = logging.getLogger()
    level = root.level
    yield
    logs.shutdown_logging()
    logs.forget_secrets()
    root.setLevel(level)


def _text(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _assert_no_key(text: str, *secrets: str) -> None:
    for secret in secrets or (KEY, KEY_ID, KEY_SECRET):
        assert secret not in text, f"{secret!r} reached the log:\n{text}"


def test_setup_returns_the_file_in_the_logs_folder_with_mode_0600(paths):
    path = logs.setup_logging(paths)
    assert path == paths.logs / "wan-desktop.log"
    logging.getLogger("wan_desktop.test").info("hello")
    assert "hello" in _text(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(paths.logs).st_mode) == 0o700


def test_an_existing_wider_file_is_made_private(paths):
    paths.logs.mkdir(parents=True)
    (paths.logs / "wan-desktop.log").write_text("old\n")
    os.chmod(paths.logs / "wan-desktop.log", 0o644)
    path = logs.setup_logging(paths)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_key_in_the_message_is_hidden(paths):
    path = logs.setup_logging(paths)
    logs.register_secret(KEY)
    logging.getLogger("t").warning(f"using key {KEY} now")
    logging.getLogger("t").warning(f"half of it: {KEY_SECRET}")
    text = _text(path)
    _assert_no_key(text)
    assert "using key «key hidden» now" in text


def test_key_in_the_arguments_and_in_a_repr_is_hidden(paths):
    class Client:
        def __repr__(self):
            return f"Client(key={KEY!r})"

    path = logs.setup_logging(paths)
    logs.register_secret(KEY)
    log = logging.getLogger("t")
    log.info("key %s", KEY)
    log.info("client %r", Client())
    log.info("mapping %(k)s", {"k": KEY})
    text = _text(path)
    _assert_no_key(text)
    assert text.count("«key hidden»") >= 3


def test_key_inside_an_exception_traceback_is_hidden(paths):
    path = logs.setup_logging(paths)
    logs.register_secret(KEY)

    def fails(secret):
        raise RuntimeError(f"the service refused {secret}")

    try:
        fails(KEY)
    except RuntimeError:
        logging.getLogger("t").exception("submit failed")
    text = _text(path)
    _assert_no_key(text)
    assert "submit failed" in text
    assert "Traceback" in text
    assert "RuntimeError: the service refused «key hidden»" in text


def test_chained_exception_and_stack_info_are_hidden(paths):
    path = logs.setup_logging(paths)
    logs.register_secret(KEY)
    try:
        try:
            raise ValueError(KEY)
        except ValueError as exc:
            raise OSError(f"wrapped {KEY_ID}") from exc
    except OSError:
        logging.getLogger("t").error("boom", exc_info=True, stack_info=True)
    _assert_no_key(_text(path))


def test_authorization_header_is_hidden_even_for_an_unknown_key(paths):
    path = logs.setup_logging(paths)
    log = logging.getLogger("httpx.test")
    log.debug("never shown at INFO")
    log.info("headers: {'Authorization': 'Key %s', 'Accept': 'json'}", OTHER)
    log.info("Authorization: Key %s", OTHER)
    log.info("authorization=key %s;", OTHER)
    text = _text(path)
    _assert_no_key(text, OTHER)
    assert "never shown" not in text
    assert "'Authorization': 'Key «key hidden»'" in text
    assert "'Accept': 'json'" in text  # only the value is cut


def test_fal_key_assignment_and_key_shape_are_hidden_unregistered(paths):
    path = logs.setup_logging(paths)
    log = logging.getLogger("t")
    log.info("env: FAL_KEY=%s FAL_QUEUE_URL=https://queue.fal.run", OTHER)
    log.info("export FAL_KEY='%s'", OTHER)
    log.info("config {'FAL_KEY': '%s'}", OTHER)
    log.info("pasted %s into the dialog", KEY)  # never registered, but shaped like a fal key
    text = _text(path)
    _assert_no_key(text, OTHER, KEY)
    assert "FAL_QUEUE_URL=https://queue.fal.run" in text


def test_request_ids_stay_visible(paths):
    path = logs.setup_logging(paths)
    request_id = "bfaf7e4e-1d7e-44c8-96f3-a8fbb56d21a6"
    logging.getLogger("t").info("request %s done", request_id)
    assert request_id in _text(path)


def test_fal_key_from_the_environment_is_registered_at_setup(paths, monkeypatch):
    monkeypatch.setenv("FAL_KEY", KEY)
    path = logs.setup_logging(paths)
    logging.getLogger("t").info("the environment says %s", os.environ["FAL_KEY"])
    _assert_no_key(_text(path))


def test_secret_registered_later_applies_from_then_on(paths):
    path = logs.setup_logging(paths)
    secret = "my-keyring-secret-42"
    logs.register_secret(secret)
    logs.register_secret("")  # ignored
    logs.register_secret(None)  # ignored
    logging.getLogger("t").info("loaded %s", secret)
    assert secret not in _text(path)


def test_console_handler_is_filtered_too(paths, capsys):
    logs.setup_logging(paths, console=True)
    logs.register_secret(KEY)
    logging.getLogger("t").info("only in the file")
    logging.getLogger("t").warning("console %s", KEY)
    err = capsys.readouterr().err
    assert "console «key hidden»" in err
    assert "only in the file" not in err  # the console shows warnings and up by default
    _assert_no_key(err)


def test_handlers_installed_before_get_the_filter(paths):
    import io

    stream = io.StringIO()
    earlier = logging.StreamHandler(stream)  # e.g. logging.basicConfig()
    root = logging.getLogger()
    root.addHandler(earlier)
    try:
        logs.setup_logging(paths)
        logs.register_secret(KEY)
        logging.getLogger("t").warning("early %s", KEY)
        assert "early «key hidden»" in stream.getvalue()
        _assert_no_key(stream.getvalue())
    finally:
        root.removeHandler(earlier)


def test_setup_twice_installs_one_handler(paths):
    first = logs.setup_logging(paths)
    second = logs.setup_logging(paths)
    assert first == second
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_wan_desktop_handler", False)]
    assert len(ours) == 1
    logging.getLogger("t").info("once")
    assert _text(first).count("once") == 1


def test_setup_with_another_folder_moves_the_handler(paths, tmp_path):
    logs.setup_logging(paths)
    other = app_paths({"WAN_DESKTOP_HOME": str(tmp_path / "elsewhere")})
    path = logs.setup_logging(other)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_wan_desktop_handler", False)]
    assert len(ours) == 1
    logging.getLogger("t").info("moved")
    assert "moved" in _text(path)


def test_files_rotate_and_every_one_is_private(paths, monkeypatch):
    monkeypatch.setattr(logs, "LOG_MAX_BYTES", 2_000)
    path = logs.setup_logging(paths)
    logs.register_secret(KEY)
    for i in range(400):
        logging.getLogger("t").info("line %04d with the key %s and padding %s", i, KEY, "x" * 40)
    files = sorted(paths.logs.iterdir())
    names = [f.name for f in files]
    assert "wan-desktop.log" in names
    assert "wan-desktop.log.1" in names
    assert "wan-desktop.log.5" in names
    assert "wan-desktop.log.6" not in names  # 5 backups kept
    for file in files:
        assert file.stat().st_size <= 2_000
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        _assert_no_key(file.read_text(encoding="utf-8"))
    assert "line 0399" in _text(path)


def test_scrub_is_usable_on_its_own():
    logs.register_secret(KEY)
    assert logs.scrub(f"x {KEY} y") == "x «key hidden» y"
    assert logs.scrub("") == ""
    assert logs.scrub("Authorization: Key abc.def") == "Authorization: Key «key hidden»"
    once = logs.scrub(f"Authorization: Key {KEY} FAL_KEY={OTHER}")
    assert logs.scrub(once) == once  # idempotent: scrubbing twice changes nothing


def test_registered_key_is_hidden_url_encoded_and_re_cased(paths):
    from urllib.parse import quote, quote_plus

    path = logs.setup_logging(paths)
    logs.register_secret(KEY)
    log = logging.getLogger("t")
    log.info("GET https://x/?k=%s", quote(KEY, safe=""))
    log.info("form k=%s", quote_plus(KEY))
    log.info("lower %s", quote(KEY, safe="").lower())
    log.info("upper %s", KEY.upper())
    text = _text(path)
    _assert_no_key(text, KEY, KEY_ID, KEY_SECRET, KEY_SECRET.upper(), KEY_ID.upper())
    assert "%3A" not in text and "%3a" not in text


def test_half_keys_are_hidden_registered_or_not(paths):
    path = logs.setup_logging(paths)
    log = logging.getLogger("t")
    log.info("pasted %s then cut", KEY[:50])  # unregistered, cut short in the secret
    log.info("encoded %s", KEY.replace(":", "%3A"))  # unregistered, URL-encoded
    logs.register_secret(KEY)
    log.info("secret alone %s, id alone %s", KEY_SECRET, KEY_ID)
    text = _text(path)
    _assert_no_key(text, KEY[:50], KEY_SECRET, KEY_ID, KEY[37:50])


def test_scrub_and_the_fal_client_share_one_redactor():
    from wan_desktop.core import redact as core_redact
    from wan_desktop.fal import redact as fal_redact

    assert fal_redact.KeyRedactor is core_redact.KeyRedactor
    assert logs.HIDDEN == core_redact.HIDDEN


def test_a_key_given_in_two_parts_is_registered_at_setup(paths, monkeypatch):
    monkeypatch.delenv("FAL_KEY", raising=False)
    monkeypatch.setenv("FAL_KEY_ID", "my-key-id-0001")
    monkeypatch.setenv("FAL_KEY_SECRET", "my-key-secret-0002")
    path = logs.setup_logging(paths)
    logging.getLogger("t").info("id %s secret %s", "my-key-id-0001", "my-key-secret-0002")
    _assert_no_key(_text(path), "my-key-id-0001", "my-key-secret-0002")
