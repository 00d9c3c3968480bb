"""The offline engine's "model": a slow camera move over the still image, encoded as H.264.

It is not the AI. It gives the app (and the tests) a real video of the right size, length,
frame rate and format: H.264 yuv420p in MP4 with the index first (``+faststart``),
``core.limits.OUTPUT_FPS`` frames per second, exactly ``duration_s × fps`` frames, AAC sound
when audio is given. Frame 0 is the image itself (as fal uses the image as the first frame);
the move after it (push in, push in and back, drift in a direction) is chosen by the seed.
Same inputs and seed → byte-identical file: x264 runs on a fixed thread count and the muxer
is asked for bit-exact output (no encoder version, no creation time).
"""

from __future__ import annotations

import io
import math
import os
import random
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageOps

from wan_desktop.core import limits
from wan_desktop.core.atomic import fsync_dir

__all__ = [
    "AUDIO_RATE",
    "CameraMove",
    "RenderCancelled",
    "camera_move",
    "output_size",
    "render_video",
]

#: Sample rate of the AAC track (Hz).
AUDIO_RATE = 48_000
_AUDIO_FRAME = 1024  # samples per frame handed to the encoder
_X264_OPTIONS = {
    # ultrafast keeps a 5 s 720p clip well under a second of encoding on two cores; crf 23 is
    # x264's default quality. One encoder thread: x264's output depends on its thread count,
    # so a fixed count keeps the bytes identical on every machine (the frames are drawn on
    # helper threads meanwhile, which is where the other core goes).
    "preset": "ultrafast",
    "crf": "23",
    "threads": "1",
}
_PREFETCH_FRAMES = 4  # frames drawn ahead of the encoder (bounded: 1080p frames are 6 MB)
_DRAW_THREADS = 2


class RenderCancelled(Exception):
    """Raised out of :func:`render_video` when its ``progress`` callback asks to stop."""


@dataclass(frozen=True, slots=True)
class CameraMove:
    """A Ken Burns move, as fractions of the frame.

    ``zoom`` is the largest magnification (1.08-1.2); ``back`` makes the camera pull back to
    the full frame in the second half; ``dx``/``dy`` is the direction the view drifts towards
    (each -1..1), scaled by the room the zoom leaves; ``name`` is a short description.
    """

    name: str
    zoom: float
    back: bool
    dx: float
    dy: float

    def box_at(self, t: float, width: float, height: float) -> tuple[float, float, float, float]:
        """The crop box (left, top, right, bottom) in a ``width``×``height`` source at time
        ``t`` (0..1). At ``t = 0`` it is the whole source."""
        ease = (1 - math.cos(math.pi * t)) / 2  # starts and ends at rest
        amount = math.sin(math.pi * t) if self.back else ease
        z = 1 + (self.zoom - 1) * amount
        box_w, box_h = width / z, height / z
        room_x, room_y = (width - box_w) / 2, (height - box_h) / 2
        cx = width / 2 + self.dx * room_x
        cy = height / 2 + self.dy * room_y
        left, top = cx - box_w / 2, cy - box_h / 2
        return (left, top, left + box_w, top + box_h)


_DIRECTIONS = {
    "centre": (0.0, 0.0),
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "up": (0.0, -1.0),
    "down": (0.0, 1.0),
    "upper left": (-0.7, -0.7),
    "upper right": (0.7, -0.7),
    "lower left": (-0.7, 0.7),
    "lower right": (0.7, 0.7),
}


def camera_move(seed: int) -> CameraMove:
    """The camera move for ``seed`` (pure: same seed, same move)."""
    rng = random.Random(seed)
    where = rng.choice(sorted(_DIRECTIONS))
    dx, dy = _DIRECTIONS[where]
    back = rng.random() < 0.3
    zoom = round(rng.uniform(1.08, 1.2), 4)
    # A little jitter on the direction so neighbouring seeds do not share the exact path.
    dx = max(-1.0, min(1.0, dx + rng.uniform(-0.2, 0.2)))
    dy = max(-1.0, min(1.0, dy + rng.uniform(-0.2, 0.2)))
    verb = "push in and pull back" if back else "slow push in"
    return CameraMove(name=f"{verb} towards the {where}", zoom=zoom, back=back, dx=dx, dy=dy)


def output_size(width: int, height: int, resolution: str) -> tuple[int, int]:
    """The video size for an image of ``width``×``height`` (after EXIF orientation).

    Keeps the image's aspect ratio at about the pixel count of ``resolution``
    (``core.limits.RESOLUTION_PIXELS``; another ``NNNp`` that a published schema offers
    counts as 16:9 at that height, at most 2160; anything else as 720p); both sides even
    (yuv420p needs it), at least 2.
    """
    pixels = limits.RESOLUTION_PIXELS.get(resolution) or _pixels_of(resolution)
    aspect = width / height
    out_w = max(2, 2 * round(math.sqrt(pixels * aspect) / 2))
    out_h = max(2, 2 * round(math.sqrt(pixels / aspect) / 2))
    return out_w, out_h


def _pixels_of(resolution: str) -> int:
    """The pixel count of a 16:9 frame ``NNNp`` high (capped at 2160 lines), else 720p's."""
    match = re.fullmatch(r"(\d{3,4})p", resolution)
    if match is None:
        return limits.RESOLUTION_PIXELS["720p"]
    height = min(int(match[1]), 2160)
    return round(height * height * 16 / 9)


def render_video(
    image_bytes: bytes,
    *,
    resolution: str,
    duration_s: int,
    seed: int,
    audio_bytes: bytes | None = None,
    dest: Path,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Render the video for one request into ``dest`` (written to a temporary name, renamed).

    ``resolution`` is ``"720p"`` or ``"1080p"``; ``duration_s`` whole seconds; ``audio_bytes``
    a WAV or MP3 file, cut to the video's length or followed by silence. ``progress(done,
    total)`` is called after each encoded frame; it may raise (e.g. :class:`RenderCancelled`)
    to stop, and then nothing is left at ``dest``. Blocking and CPU-bound (about 1-2 s for
    5 s of 720p): call it from a worker thread. Raises ``PIL.UnidentifiedImageError`` /
    ``av.FFmpegError`` on undecodable input.
    """
    scene = _Scene.of(image_bytes, resolution, camera_move(seed), int(duration_s))
    samples = _decode_audio(audio_bytes, duration_s) if audio_bytes is not None else None
    _write_atomically(
        Path(dest),
        lambda part: _encode(part, scene.frame_at, scene.total, scene.size, samples, progress),
    )


@dataclass(frozen=True, slots=True)
class _Scene:
    """The image ready to film: its first frame and a larger source to crop, both as YUV
    4:2:0 planes (converted once: half the pixels of RGB to resample, no colour conversion
    per frame), and the camera move over ``total`` frames of ``size``."""

    first: list[Image.Image]
    source: list[Image.Image]
    source_size: tuple[int, int]
    size: tuple[int, int]
    move: CameraMove
    total: int

    @classmethod
    def of(cls, image_bytes: bytes, resolution: str, move: CameraMove, duration_s: int) -> _Scene:
        image = Image.open(io.BytesIO(image_bytes))
        turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF: a quarter turn
        width, height = (image.height, image.width) if turned else image.size
        out_w, out_h = output_size(width, height, resolution)
        # Pre-scale once so that the tightest crop maps about 1:1 onto the output: every frame
        # is then a small bilinear resample with a sub-pixel box (smooth, no upscaling blur).
        src_w, src_h = _even(out_w * move.zoom), _even(out_h * move.zoom)
        image.draft("RGB", (src_h, src_w) if turned else (src_w, src_h))  # JPEG: decode smaller
        image = _to_rgb(ImageOps.exif_transpose(image))
        return cls(
            first=_yuv_planes(image.resize((out_w, out_h), Image.Resampling.LANCZOS)),
            source=_yuv_planes(image.resize((src_w, src_h), Image.Resampling.LANCZOS)),
            source_size=(src_w, src_h),
            size=(out_w, out_h),
            move=move,
            total=duration_s * limits.OUTPUT_FPS,
        )

    def frame_at(self, index: int) -> av.VideoFrame:
        """Frame ``index`` (0 is the input framing exactly: fal starts from the image)."""
        out_w, out_h = self.size
        if index == 0:
            return _video_frame(self.first, out_w, out_h)
        left, top, right, bottom = self.move.box_at(index / (self.total - 1), *self.source_size)
        planes = []
        for plane, scale in zip(self.source, (1, 2, 2), strict=True):
            box = (left / scale, top / scale, right / scale, bottom / scale)
            size = (out_w // scale, out_h // scale)
            planes.append(plane.resize(size, Image.Resampling.BILINEAR, box=box))
        return _video_frame(planes, out_w, out_h)


def _write_atomically(dest: Path, write: Callable[[str], None]) -> None:
    """``write(path)`` to a temporary name beside ``dest``, then fsync and rename it into place.

    A temporary path rather than core.atomic's file object: +faststart re-opens the output to
    move the index in front of the media, which needs a real file name.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
    try:
        write(str(part))
        with open(part, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(part, dest)
        fsync_dir(dest.parent)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts over black, as a video has no alpha.
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (0, 0, 0))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _yuv_planes(image: Image.Image) -> list[Image.Image]:
    """An RGB image (even sides) as its Y, U, V planes (mode L; U and V at half size),
    converted the way the encoder would (FFmpeg's swscale, BT.601 limited range)."""
    frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
    planes = []
    for plane in frame.planes:
        planes.append(
            Image.frombuffer(
                "L", (plane.width, plane.height), bytes(plane), "raw", "L", plane.line_size, 1
            ).copy()
        )
    return planes


def _video_frame(planes: list[Image.Image], width: int, height: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for target, plane in zip(frame.planes, planes, strict=True):
        if target.line_size != plane.width:  # rows padded for alignment: pad ours the same
            padded = Image.new("L", (target.line_size, plane.height))
            padded.paste(plane, (0, 0))
            plane = padded
        target.update(plane.tobytes())
    return frame


def _frames_ahead(make: Callable[[int], av.VideoFrame], total: int) -> Iterator[av.VideoFrame]:
    """Draw frames on helper threads, a few ahead of the encoder, in order.

    Pillow's resampling drops the GIL, so two drawing threads and the encoder share the
    cores; at most :data:`_PREFETCH_FRAMES` frames wait in memory.
    """

    with ThreadPoolExecutor(_DRAW_THREADS, thread_name_prefix="emulator-frames") as pool:
        ahead: deque[Future[av.VideoFrame]] = deque()
        next_index = 0
        try:
            for _ in range(total):
                while next_index < total and len(ahead) < _PREFETCH_FRAMES:
                    ahead.append(pool.submit(make, next_index))
                    next_index += 1
                yield ahead.popleft().result()
        finally:
            for future in ahead:
                future.cancel()


def _encode(
    path: str,
    frame_at: Callable[[int], av.VideoFrame],
    total: int,
    size: tuple[int, int],
    samples: bytes | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    fps = limits.OUTPUT_FPS
    options = {"movflags": "+faststart", "fflags": "+bitexact"}
    with av.open(path, "w", format="mp4", options=options) as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        video.codec_context.options = dict(_X264_OPTIONS)
        # Bit-exact: no encoder version string in the stream's metadata.
        video.codec_context.flags |= av.codec.context.Flags.bitexact
        audio = None
        if samples is not None:
            audio = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            audio.codec_context.flags |= av.codec.context.Flags.bitexact
            audio.codec_context.bit_rate = 128_000
        for index, frame in enumerate(_frames_ahead(frame_at, total)):
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(video.encode(frame))
            if progress is not None:
                progress(index + 1, total)
        container.mux(video.encode(None))
        if audio is not None and samples is not None:
            for frame in _audio_frames(samples):
                container.mux(audio.encode(frame))
            container.mux(audio.encode(None))


def _decode_audio(data: bytes, duration_s: int) -> bytes:
    """The audio as interleaved s16 stereo at :data:`AUDIO_RATE`, exactly ``duration_s`` long:
    cut when longer, silence after it when shorter."""
    wanted = int(duration_s) * AUDIO_RATE * 4  # 2 channels × 2 bytes
    pcm = bytearray()
    resampler = av.AudioResampler(format="s16", layout="stereo", rate=AUDIO_RATE)
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                pcm += bytes(out.planes[0])[: out.samples * 4]
            if len(pcm) >= wanted:
                break
        else:
            for out in resampler.resample(None):
                pcm += bytes(out.planes[0])[: out.samples * 4]
    del pcm[wanted:]
    pcm += bytes(wanted - len(pcm))
    return bytes(pcm)


def _audio_frames(pcm: bytes) -> Iterator[av.AudioFrame]:
    step = _AUDIO_FRAME * 4
    for start in range(0, len(pcm), step):
        chunk = pcm[start : start + step]
        count = len(chunk) // 4
        frame = av.AudioFrame(format="s16", layout="stereo", samples=count)
        frame.planes[0].update(chunk + bytes(frame.planes[0].buffer_size - len(chunk)))
        frame.sample_rate = AUDIO_RATE
        frame.pts = start // 4
        frame.time_base = Fraction(1, AUDIO_RATE)
        yield frame
