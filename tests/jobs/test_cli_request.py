"""How long ``generate`` waits for fal's Platform API: a second unless the environment says."""

from __future__ import annotations

import pytest

from wan_desktop.jobs.cli_request import WAIT_VARIABLE, platform_wait_s
from wan_desktop.jobs.live_service import CLI_TIMEOUT_S


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, CLI_TIMEOUT_S),
        ("", CLI_TIMEOUT_S),
        ("soon", CLI_TIMEOUT_S),
        ("nan", CLI_TIMEOUT_S),
        ("2.5", 2.5),
        ("0", 0.1),
        ("1e9", 30.0),
        ("-inf", 0.1),
    ],
)
def test_the_wait_is_a_second_unless_set(value, seconds):
    environ = {} if value is None else {WAIT_VARIABLE: value}
    assert platform_wait_s(environ) == seconds
