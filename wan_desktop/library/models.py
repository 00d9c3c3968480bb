"""The library's plain data: what goes in (:class:`NewEntry`), what comes out (:class:`Entry`,
:class:`EntrySummary`), and how lists are narrowed and ordered (:class:`Filters`, sorts).

All frozen, all safe to hand across threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..core.request import GenerationRequest

if TYPE_CHECKING:
    from ..media.prepared import PreparedMedia

__all__ = ["SORTS", "Entry", "EntrySummary", "Filters", "NewEntry"]

#: Orders for :meth:`Library.list` / :meth:`Library.search` (``relevance``: search only).
#: ``rating``: highest rated first (unrated last), newest first among equals.
#: ``take``: the order the takes of a group were queued in (clips of no known place last).
SORTS = ("newest", "oldest", "longest", "shortest", "rating", "take", "relevance")


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A finished generation to keep.

    ``video_path`` is a finished temporary mp4 the library takes over (moved, or copied and
    removed when on another file system). ``image``/``audio`` are the media exactly as sent.
    ``arguments`` are the API arguments as sent, with data URIs replaced by the file names
    (any left are replaced here). ``response`` is the API result; ``timings`` seconds per phase
    (``{"queue_s": .., "run_s": .., "download_s": ..}``); ``remote`` the remote URLs and when
    they expire (``{"video_url": .., "expires_at": ISO 8601}``). ``cost_source`` says where
    ``cost_usd`` came from (``account``: fal's price for the account; ``bundled``;
    ``offline``). ``id`` is normally left to the library; ``created_at`` (UTC) defaults to now.
    ``group_id`` is the take group of the action that made it (variants share one; ``None``:
    made alone), ``variant`` its short label in the group ("seed 1234") and ``take`` its
    1-based place in the group's queue order (0: not known); all are checked by :mod:`.takes`
    (a bad one raises :class:`~.errors.FieldError`).
    """

    video_path: Path
    image: PreparedMedia | None
    request: GenerationRequest
    audio: PreparedMedia | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""
    endpoint: str = ""
    timings: dict[str, Any] = field(default_factory=dict)
    cost_usd: float | None = None
    cost_source: str = ""
    remote: dict[str, Any] = field(default_factory=dict)
    parent_id: str | None = None
    id: str | None = None
    created_at: datetime | None = None
    group_id: str | None = None
    variant: str = ""
    take: int = 0


class EntrySummary(NamedTuple):
    """One row of a list: enough to draw it. ``duration_s`` in seconds; ``poster_path``
    absolute (``None`` when the entry has no poster; ``poster_file`` is the same as a str);
    ``group_id``/``variant`` its take group and label, ``rating`` 0..5 (0: not rated), ``flag``
    "", "picked" or "rejected", ``take`` its 1-based place in the group's queue order (0: not
    known; see :mod:`.takes`).

    A named tuple rather than a dataclass: a page of them is built on every scroll and
    keystroke, and tuples are several times cheaper to make.
    """

    id: str
    created_at: str
    prompt: str
    title: str
    seed: int | None
    duration_s: float
    resolution: str
    width: int
    height: int
    favourite: bool
    has_audio: bool
    poster_file: str | None = None
    group_id: str | None = None
    variant: str = ""
    rating: int = 0
    flag: str = ""
    take: int = 0

    @property
    def poster_path(self) -> Path | None:
        """The poster (absolute), or ``None`` when the entry has none."""
        return Path(self.poster_file) if self.poster_file else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (paths as strings)."""
        out = self._asdict()
        out["poster_path"] = out.pop("poster_file")
        return out


@dataclass(frozen=True, slots=True)
class Entry:
    """Everything about one kept result. Paths are absolute (inside the library folder);
    ``created_at``/``trashed_at`` ISO 8601 UTC; ``data`` the whole sidecar; the take fields
    (``group_id``, ``variant``, ``rating``, ``flag``, ``take``) as in :class:`EntrySummary`."""

    id: str
    created_at: str
    folder: Path
    video_path: Path
    image_path: Path | None
    audio_path: Path | None
    poster_path: Path | None
    last_frame_path: Path | None
    sidecar_path: Path
    request: GenerationRequest | None
    arguments: dict[str, Any]
    response: dict[str, Any]
    seed: int | None
    actual_prompt: str
    request_id: str
    endpoint: str
    timings: dict[str, Any]
    cost_usd: float | None
    remote: dict[str, Any]
    parent_id: str | None
    app_version: str
    width: int
    height: int
    duration_s: float
    has_audio: bool
    resolution: str
    video_sha256: str
    size_bytes: int
    favourite: bool
    tags: tuple[str, ...]
    notes: str
    title: str
    trashed_at: str | None
    data: dict[str, Any] = field(repr=False)
    group_id: str | None = None
    variant: str = ""
    rating: int = 0
    flag: str = ""
    take: int = 0

    @property
    def prompt(self) -> str:
        """The prompt the user wrote (empty for imported videos without our metadata)."""
        return self.request.prompt if self.request else ""

    @property
    def set_aside(self) -> dict[str, str]:
        """Fields of the metadata this entry was read or imported from that failed their
        type check, each as (shortened) JSON text: kept, never interpreted."""
        return dict(self.data.get("rejected_metadata") or {})

    def summary(self) -> EntrySummary:
        """This entry as a list row (what a page of :meth:`Library.list` would hold)."""
        return EntrySummary(
            self.id,
            self.created_at,
            self.prompt,
            self.title,
            self.seed,
            self.duration_s,
            self.resolution,
            self.width,
            self.height,
            self.favourite,
            self.has_audio,
            str(self.poster_path) if self.poster_path else None,
            self.group_id,
            self.variant,
            self.rating,
            self.flag,
            self.take,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (paths as strings)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, GenerationRequest):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        out["prompt"] = self.prompt
        return out


@dataclass(frozen=True, slots=True)
class Filters:
    """What to keep in a list or search. ``None`` means "any".

    ``min_duration_s``/``max_duration_s`` in seconds (inclusive); ``created_from``/``created_to``
    are datetimes (naive ones are taken as UTC) or ISO 8601 strings, ``created_to`` exclusive.
    ``trashed=True`` lists the trash instead of the live entries. ``silent``: made with
    ``generate_audio`` off (True) or on (False); entries from before the switch were made
    with audio. ``min_rating``: rated at least this (1..5); ``flag``: "picked", "rejected" or
    "" (neither); ``group_id``: the takes of one group.
    """

    favourite: bool | None = None
    resolution: str | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    has_audio: bool | None = None
    created_from: datetime | str | None = None
    created_to: datetime | str | None = None
    tag: str | None = None
    trashed: bool = False
    silent: bool | None = None
    min_rating: int | None = None
    flag: str | None = None
    group_id: str | None = None
