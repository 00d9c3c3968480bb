"""Qt-free media helpers: input image and audio checks and preparation (Pillow, PyAV).

Everything here is synchronous and CPU-bound except :func:`fetch_image` (async I/O): call the
rest in an executor, never on the GUI thread. Refusals are
:class:`~wan_desktop.core.problems.InvalidInputError` on ``image_url`` / ``audio_url``.
Video probing and mp4 metadata live in ``media.video`` and ``media.mp4meta`` (imported from
there, not re-exported here, so importing the package stays cheap).
"""

from __future__ import annotations

from .audio import audio_notes, prepare_audio_bytes, prepare_audio_file
from .datauri import parse_data_uri, to_data_uri
from .fetch import fetch_image
from .image import prepare_image_bytes, prepare_image_file
from .inputs import DEFAULT_UPLOAD_THRESHOLD_BYTES, needs_upload
from .prepared import PreparedMedia

__all__ = [
    "DEFAULT_UPLOAD_THRESHOLD_BYTES",
    "PreparedMedia",
    "audio_notes",
    "fetch_image",
    "needs_upload",
    "parse_data_uri",
    "prepare_audio_bytes",
    "prepare_audio_file",
    "prepare_image_bytes",
    "prepare_image_file",
    "to_data_uri",
]
