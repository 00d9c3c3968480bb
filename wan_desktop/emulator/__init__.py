"""The offline engine: a fal-compatible queue server on 127.0.0.1 (Qt-free).

It speaks fal's queue protocol for ``wan/v2.6/image-to-video/flash``, fal's Platform API
(the model's schema, its price: nothing) and fal's storage API (uploads), and animates the
image locally with a slow camera move (it is not the AI). The app uses it when no fal key is set;
the tests use it as the server. See :class:`EmulatorServer`, :class:`Faults`,
:func:`render_video`.
"""

from __future__ import annotations

from .faults import Faults
from .render import render_video
from .server import EmulatorServer

__all__ = ["EmulatorServer", "Faults", "render_video"]
