"""The contact sheet's one clock: frame numbers from times, wrapping, steps, and a snapshot the
decoding threads can read."""

from __future__ import annotations

from wan_desktop.ui.clip_clock import ClipClock, ClockState, frame_at


def test_frame_at_is_exact_at_frame_starts():
    assert [frame_at(n / 24, 24) for n in range(200)] == list(range(200))
    assert frame_at(1 / 24 - 1e-3, 24) == 0
    assert frame_at(0.0, 24) == frame_at(-1.0, 24) == frame_at(3.0, 0) == 0
    assert frame_at(5.0, 30) == 150


def test_seek_and_step_wrap_inside_the_loop():
    clock = ClipClock(5.0, 24.0)
    assert clock.frame_count() == 120
    clock.seek_frame(10)
    assert clock.frame() == 10 and not clock.is_playing()
    assert clock.step(-11) == 119
    assert clock.step(1) == 0
    clock.seek(12.5)  # 2.5 s into the third loop
    assert clock.position_s() == 2.5 and clock.frame() == 60


def test_playing_advances_with_the_monotonic_clock_and_wraps():
    clock = ClipClock(2.0, 24.0)
    clock.seek(1.5)
    clock.play()
    state = clock.snapshot()
    assert state.playing
    start = state.started_ns
    assert state.position_s(start + 250_000_000) == 1.75
    assert state.position_s(start + 750_000_000) == 0.25  # wrapped
    assert state.raw_s(start + 750_000_000) == 2.25
    clock.pause()
    paused = clock.snapshot()
    assert not paused.playing
    assert paused.position_s() == paused.position_s()  # it stands still
    assert clock.step(2) == clock.frame()


def test_a_snapshot_never_changes_under_its_reader():
    clock = ClipClock(4.0, 24.0)
    before = clock.snapshot()
    clock.play()
    clock.seek(3.0)
    assert before == ClockState(0.0, None, 4.0)
    clock.set_loop(2.0, 30.0)  # 3 s no longer fits a 2 s loop: back to the start
    assert clock.position_s() < 0.1 and clock.fps == 30.0 and clock.frame_count() == 60
