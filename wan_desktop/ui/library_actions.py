"""The library's actions as a plain service object: the pane's slots and the tests call it,
and it talks to the composer and the player through two small ports (callables), never
widget to widget.

Every library call runs in the executor (``run_blocking``); nothing here needs the network, so
all of it works offline and without a key. "Continue from the last frame" remembers which
entry the composer's image came from: :meth:`LibraryActions.parent_for` gives the window the
``parent_id`` for the job it enqueues, as long as the composer still holds that image.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..core import limits
from ..core.request import GenerationRequest
from ..core.text import excerpt
from .async_bridge import run_blocking

__all__ = ["ComposerFill", "LibraryActions", "ReuseMode", "apply_fill"]

log = logging.getLogger(__name__)

ReuseMode = Literal["all", "new_seed", "prompt", "actual_prompt", "continue"]


@dataclass(frozen=True, slots=True)
class ComposerFill:
    """What to put in the composer. ``request`` holds the prompts and options (``seed`` None:
    random); ``image``/``audio`` local paths to load (``None``: leave the image, clear the
    audio unless ``prompt_only``); ``expansion`` overrides prompt expansion when not None;
    ``parent_id`` is the entry a continuation follows; ``note`` a sentence for the status bar."""

    request: GenerationRequest
    image: str | None = None
    audio: str | None = None
    prompt_only: bool = False
    expansion: bool | None = None
    parent_id: str | None = None
    note: str = ""


def _same_file(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


def apply_fill(composer: Any, fill: ComposerFill) -> None:
    """The composer side of the port: fill ``composer`` (a ``Composer``) from ``fill``."""
    composer.load_request(
        fill.request,
        image=fill.image,
        audio=fill.audio,
        prompt_only=fill.prompt_only,
        expansion=fill.expansion,
    )


class LibraryActions:
    """Reuse, continue, play, edit, trash, export and import — on the loop thread.

    ``library`` arrives once the services started (:meth:`set_library`); ``fill_composer(fill)``
    and ``play(path, title)`` are set by whoever wires the window; ``status(text)`` shows a
    sentence. ``entry_added`` listeners hear of new entries (a finished job, an import).
    """

    def __init__(self) -> None:
        self.library: Any = None
        self.fill_composer: Callable[[ComposerFill], None] | None = None
        self.play_port: Callable[[str, str], None] | None = None
        self.status: Callable[[str], None] = lambda _text: None
        self.entry_added: list[Callable[[str], None]] = []
        self.library_listeners: list[Callable[[Any], None]] = []
        self.continuation: tuple[str, str] | None = None  # (parent entry id, image path)
        self.last_fill: ComposerFill | None = None
        self._unsubscribe: Callable[[], None] | None = None

    # ---- wiring -------------------------------------------------------------------------------

    def set_library(self, library: Any) -> None:
        """The opened ``Library`` (GUI thread); tells every ``library_listeners`` callable."""
        self.library = library
        for listener in list(self.library_listeners):
            listener(library)

    def attach_runner(self, runner: Any) -> None:
        """Hear of finished jobs (``JobEvent.kind == "finished"`` with an ``entry_id``)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if runner is not None:
            self._unsubscribe = runner.subscribe(self._on_runner_event)

    def _on_runner_event(self, event: Any) -> None:
        if event.kind == "finished" and getattr(event.job, "entry_id", None):
            self.announce(event.job.entry_id)

    def announce(self, entry_id: str) -> None:
        """Tell the ``entry_added`` listeners that ``entry_id`` is new in the library."""
        for listener in list(self.entry_added):
            listener(entry_id)

    def parent_for(self, request: GenerationRequest) -> str | None:
        """The entry a job for ``request`` continues, if its image is that entry's last frame."""
        if self.continuation is None:
            return None
        parent, image = self.continuation
        return parent if _same_file(request.image, image) else None

    def _need_library(self) -> Any:
        if self.library is None:
            raise RuntimeError("The library is still opening; try again in a moment.")
        return self.library

    # ---- reading ------------------------------------------------------------------------------

    async def entry(self, entry_id: str) -> Any:
        """The full ``Entry`` (read in the executor)."""
        return await run_blocking(self._need_library().get, entry_id)

    # ---- composer -----------------------------------------------------------------------------

    async def reuse(self, entry_id: str, mode: ReuseMode = "all") -> ComposerFill:
        """Fill the composer from an entry.

        ``all``: the exact request with the seed the service used (same image, same audio);
        ``new_seed``: the same with a random seed; ``prompt``: the prompts only;
        ``actual_prompt``: the prompt the service actually used, with expansion off;
        ``continue``: the entry's exact last frame as the new image (the job will record this
        entry as its parent), its prompt and options, a random seed.
        """
        entry = await self.entry(entry_id)
        fill = build_fill(entry, mode)
        if mode == "continue":
            self.continuation = (entry.id, fill.image or "")
        elif fill.image is not None:
            self.continuation = None
        self.last_fill = fill
        if self.fill_composer is not None:
            self.fill_composer(fill)
        if fill.note:
            self.status(fill.note)
        return fill

    # ---- playing ------------------------------------------------------------------------------

    async def play(self, entry_id: str) -> str:
        """Play the entry's clip in the app's player; returns its path."""
        entry = await self.entry(entry_id)
        title = entry.title or excerpt(entry.prompt) or entry.video_path.name
        if entry.seed is not None:
            title += f" · seed {entry.seed}"
        if self.play_port is not None:
            self.play_port(str(entry.video_path), title)
        return str(entry.video_path)

    # ---- edits --------------------------------------------------------------------------------

    async def set_favourite(self, entry_id: str, favourite: bool) -> Any:
        """Save the favourite mark; returns the updated ``Entry``. So do the three below."""
        return await run_blocking(self._need_library().set_favourite, entry_id, favourite)

    async def set_title(self, entry_id: str, title: str) -> Any:
        return await run_blocking(self._need_library().set_title, entry_id, title)

    async def set_tags(self, entry_id: str, tags: list[str]) -> Any:
        return await run_blocking(self._need_library().set_tags, entry_id, tags)

    async def set_notes(self, entry_id: str, notes: str) -> Any:
        return await run_blocking(self._need_library().set_notes, entry_id, notes)

    async def set_rating(self, entry_id: str, stars: int) -> Any:
        """Rate the clip 1–5 stars (0: not rated)."""
        return await run_blocking(self._need_library().set_rating, entry_id, stars)

    async def set_flag(self, entry_id: str, flag: str) -> Any:
        """Flag the clip "picked" or "rejected" ("" takes the flag off)."""
        return await run_blocking(self._need_library().set_flag, entry_id, flag)

    # ---- trash --------------------------------------------------------------------------------

    async def trash(self, entry_id: str) -> Any:
        """Move the entry to the trash (its files stay until the trash is emptied)."""
        entry = await run_blocking(self._need_library().trash, entry_id)
        self.status("Moved to the trash. Restore it from the Trash view.")
        return entry

    async def restore(self, entry_id: str) -> Any:
        """Bring the entry back from the trash."""
        entry = await run_blocking(self._need_library().restore, entry_id)
        self.status("Restored.")
        return entry

    async def empty_trash(self) -> int:
        """Delete every trashed entry for good; returns how many."""
        n = await run_blocking(self._need_library().empty_trash, 0)
        self.status(f"Deleted {n:,} clip{'s' if n != 1 else ''} for good.")
        return n

    # ---- files --------------------------------------------------------------------------------

    async def export(
        self, entry_id: str, folder: str | Path, template: str, with_sidecar: bool
    ) -> Path:
        """Copy the clip into ``folder`` named by ``template`` (and its JSON sidecar when
        ``with_sidecar``); returns the file written."""
        path = await run_blocking(
            self._need_library().export, entry_id, Path(folder), template, with_sidecar
        )
        self.status(f"Exported to {path}")
        return path

    async def import_video(self, path: str | Path) -> tuple[Any, bool]:
        """Copy an MP4 in; returns ``(entry, settings_restored)`` and announces the entry."""
        entry = await run_blocking(self._need_library().import_video, Path(path))
        restored = entry.request is not None
        name = Path(path).name
        self.status(
            f"Imported {name}: settings restored from its metadata."
            if restored
            else f"Imported {name} (it carries no generation settings)."
        )
        self.announce(entry.id)
        return entry, restored


def build_fill(entry: Any, mode: ReuseMode) -> ComposerFill:
    """The composer contents for reusing ``entry`` in ``mode`` (:meth:`LibraryActions.reuse`)."""
    request = entry.request or GenerationRequest(prompt="", image="")
    image = str(entry.image_path) if entry.image_path and entry.image_path.is_file() else None
    audio = str(entry.audio_path) if entry.audio_path and entry.audio_path.is_file() else None
    if mode == "prompt":
        return ComposerFill(request, prompt_only=True, note="Prompt loaded into the composer.")
    if mode == "actual_prompt":
        text = entry.actual_prompt or request.prompt
        if len(text) > limits.PROMPT_MAX_CHARS:
            text = text[: limits.PROMPT_MAX_CHARS]
        return ComposerFill(
            request.replace(prompt=text, enable_prompt_expansion=False),
            prompt_only=True,
            expansion=False,
            note="The prompt the service used is in the composer, with prompt expansion off.",
        )
    if mode == "continue":
        last = entry.last_frame_path
        if last is None or not Path(last).is_file():
            raise RuntimeError("This clip has no saved last frame to continue from.")
        return ComposerFill(
            request.replace(seed=None, image=str(last)),
            image=str(last),
            audio=None,
            parent_id=entry.id,
            note="The clip's last frame is the new image: the next video continues this one.",
        )
    seed = entry.seed if entry.seed is not None else request.seed
    if mode == "new_seed":
        seed = random.randint(limits.SEED_MIN, limits.SEED_MAX)
    note = "Settings loaded" + (f" with seed {seed}" if seed is not None else "") + "."
    if image is None:
        note += " The input image was not kept with this clip: add one."
    return ComposerFill(request.replace(seed=seed), image=image, audio=audio, note=note)
