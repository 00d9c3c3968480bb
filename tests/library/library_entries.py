"""Building :class:`NewEntry` values for tests (and the kill-test helper) without the engine."""

from __future__ import annotations

import io
from pathlib import Path

from library_clips import make_clip
from PIL import Image

from wan_desktop.core.request import GenerationRequest
from wan_desktop.library import NewEntry
from wan_desktop.media.prepared import PreparedMedia

__all__ = [
    "cull_two_takes",
    "fake_audio",
    "fake_image",
    "forget_all_but_videos",
    "new_entry",
]


def fake_image(color: tuple[int, int, int] = (200, 40, 40)) -> PreparedMedia:
    """A 320×240 PNG as the media layer would hand it over."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, "PNG")
    data = buffer.getvalue()
    return PreparedMedia(
        data=data,
        mime="image/png",
        file_name="my photo.png",
        format="PNG",
        size_bytes=len(data),
        width=320,
        height=240,
    )


def fake_audio() -> PreparedMedia:
    """Bytes standing in for an MP3 (the library keeps them as they are)."""
    data = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8
    return PreparedMedia(
        data=data,
        mime="audio/mpeg",
        file_name="song.mp3",
        format="MP3",
        size_bytes=len(data),
        duration_s=3.5,
    )


def new_entry(
    tmp: Path,
    *,
    prompt: str = "a red fox running through snow",
    negative_prompt: str = "blurry",
    seed: int | None = 1234,
    actual_prompt: str | None = "A red fox sprints across a snowy field at dawn.",
    resolution: str = "720p",
    duration: int = 5,
    audio: bool = False,
    seconds: float = 1.0,
    parent_id: str | None = None,
    gop: int | None = None,
    group_id: str | None = None,
    variant: str = "",
    take: int = 0,
) -> NewEntry:
    """A finished generation: a fresh 1 s 256×144 clip in ``tmp`` and typical inputs."""
    tmp.mkdir(parents=True, exist_ok=True)
    index = len(list(tmp.glob("result-*.mp4")))
    video = make_clip(tmp / f"result-{index}.mp4", seconds=seconds, audio=audio, gop=gop)
    image = fake_image()
    sound = fake_audio() if audio else None
    request = GenerationRequest(
        prompt=prompt,
        image="/home/someone/Pictures/my photo.png",
        audio="/home/someone/Music/song.mp3" if audio else None,
        resolution=resolution,
        duration=duration,
        negative_prompt=negative_prompt,
        seed=seed,
    )
    arguments = request.to_arguments(
        image.to_data_uri(), sound.to_data_uri() if sound is not None else None
    )
    response = {
        "video": {"url": "https://v3b.fal.media/files/b/x/result.mp4", "content_type": "video/mp4"},
        "seed": seed if seed is not None else 987654,
    }
    if actual_prompt is not None:
        response["actual_prompt"] = actual_prompt
    return NewEntry(
        video_path=video,
        image=image,
        audio=sound,
        request=request,
        arguments=arguments,
        response=response,
        request_id="0193b0c2-aaaa-bbbb-cccc-123456789abc",
        endpoint="wan/v2.6/image-to-video/flash",
        timings={"queue_s": 1.5, "run_s": 30.2, "download_s": 0.4},
        cost_usd=0.25,
        remote={
            "video_url": "https://v3b.fal.media/files/b/x/result.mp4",
            "expires_at": "2026-12-01T00:00:00Z",
        },
        parent_id=parent_id,
        group_id=group_id,
        variant=variant,
        take=take,
    )


def synthetic_sidecar(
    entry_id: str,
    *,
    prompt: str,
    duration_s: float = 5.0,
    resolution: str = "720p",
    has_audio: bool = False,
    favourite: bool = False,
    tags: list[str] | None = None,
    notes: str = "",
    title: str = "",
    created_at: str | None = None,
    rating: int = 0,
    flag: str = "",
    group_id: str | None = None,
    variant: str = "",
    parent_id: str | None = None,
) -> dict:
    """A sidecar for an index-only row (no files): query tests and the benchmark."""
    from wan_desktop.library.ids import id_datetime
    from wan_desktop.library.search import iso_utc

    return {
        "schema": 1,
        "id": entry_id,
        "created_at": created_at or iso_utc(id_datetime(entry_id)),
        "request": {"prompt": prompt, "negative_prompt": "", "resolution": resolution},
        "seed": 1,
        "actual_prompt": "",
        "files": {"video": "video.mp4", "poster": "poster.jpg"},
        "video": {"width": 1280, "height": 720, "duration_s": duration_s, "has_audio": has_audio},
        "favourite": favourite,
        "tags": tags or [],
        "notes": notes,
        "title": title,
        "rating": rating,
        "flag": flag,
        "group_id": group_id,
        "variant": variant,
        "parent_id": parent_id,
    }


def cull_two_takes(lib, add) -> tuple[str, object, object]:
    """Two takes of a new group filed with ``add``: ``seed 1`` rated 5 and picked, ``seed 2``
    rated 2 and rejected; ``(group, first, second)`` (the entries as filed, before culling)."""
    from wan_desktop.library.ids import new_group_id

    group = new_group_id()
    a = add(group_id=group, variant="seed 1", seed=1)
    b = add(group_id=group, variant="seed 2", seed=2)
    lib.set_rating(a.id, 5)
    lib.set_flag(a.id, "picked")
    lib.set_rating(b.id, 2)
    lib.set_flag(b.id, "rejected")
    return group, a, b


def forget_all_but_videos(root: Path) -> None:
    """Delete the index and every entry's sidecar of the closed library at ``root``: a rebuild
    then has only the videos (and their comments) to go on."""
    for sidecar in root.rglob("entry.json"):
        sidecar.unlink()
    (root / "library.db").unlink()
