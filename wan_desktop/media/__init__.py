"""Qt-free media helpers, one module per concern (import the module you need):

- ``media.image``, ``media.audio``: input checks and preparation (Pillow, PyAV);
- ``media.prepared``: :class:`~wan_desktop.media.prepared.PreparedMedia`, what is sent;
- ``media.datauri``, ``media.fetch``: data URIs, fetching an image URL (async);
- ``media.files``: reading an input file with errors that name the field;
- ``media.video``, ``media.mp4meta``: probing, posters, last frames, the MP4 comment tag;
- ``media.frame_reader``: any frame exactly, by number or time (stepping, comparing).

Everything here is synchronous and CPU-bound except ``fetch_image`` (async I/O): call the rest
in an executor, never on the GUI thread. Refusals are
:class:`~wan_desktop.core.problems.InvalidInputError` on ``image_url`` / ``audio_url``.
Nothing is imported here, so importing one module does not load Pillow and PyAV for all.
"""
