"""A job decodes its input image's pixels once: the check before it is enqueued (the drop
zone's) and the job's own prepare share one decode, and the submit and the filing trust the
prepared bytes. A large photo's decode holds the interpreter lock long enough to stall the GUI.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from pathlib import Path

import pytest
from jobs_helpers import fast_render
from PIL import Image, ImageFile

from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.fal import client as fal_client
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library
from wan_desktop.media import image as media_image
from wan_desktop.media.datauri import to_data_uri

pytestmark = pytest.mark.asyncio

SIZE = (421, 317)  # a size no other picture in the job has


def _app_decodes(monkeypatch) -> list[str]:
    """Every full decode of a SIZE image outside the offline engine, by the thread it ran in."""
    seen: list[str] = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        if self.size == SIZE and getattr(self, "tile", None):
            stack = "".join(traceback.format_stack())
            if "wan_desktop/emulator" not in stack.replace("\\", "/"):
                seen.append(stack)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def _sent_bodies(monkeypatch) -> list[bytes]:
    """Every submit body as the client streamed it."""
    bodies: list[bytes] = []
    real_pieces = fal_client.body_pieces

    async def pieces(body):
        seen = []
        async for piece in real_pieces(body):
            seen.append(piece)
            yield piece
        bodies.append(b"".join(seen))

    monkeypatch.setattr(fal_client, "body_pieces", pieces)
    return bodies


def _noisy_png(path: Path) -> Path:
    Image.effect_noise(SIZE, 60).convert("RGB").save(path)
    return path


async def test_a_checked_image_is_decoded_once_per_job(tmp_path, monkeypatch):
    image = _noisy_png(tmp_path / "photo.png")
    decodes = _app_decodes(monkeypatch)
    bodies = _sent_bodies(monkeypatch)
    media_image.prepare_image_file(image)  # the drop zone's check
    engine = EmulatorServer(workers=1, render=fast_render, keepalive_s=0.5, api_key="k")
    engine.start()
    library = Library.open(tmp_path / "lib")
    runner = JobRunner(library, Backend(engine.base_url, "k", offline=False))
    try:
        await runner.start()
        job = await runner.enqueue(GenerationRequest(prompt="a pan", image=str(image)))
        final = await asyncio.wait_for(runner.wait(job.id), 60)
        assert final.state is JobState.DONE, final.error
        sent = library.get(final.entry_id)
    finally:
        await runner.close()
        library.close()
        engine.stop()
    assert sent is not None
    # What went out, streamed in pieces, is the prepared bytes' data URI, and the offline
    # engine (which decodes the image it is sent) took it.
    (body,) = bodies
    assert json.loads(body)["image_url"] == to_data_uri(image.read_bytes(), "image/png")
    assert len(decodes) == 1, f"{len(decodes)} decodes:\n" + "\n----\n".join(decodes)
