"""Where Pillow keeps decoded pixels, so that neither making nor freeing a large image holds the
interpreter lock for long (the GUI thread waits for that lock while a worker holds it).

Two costs, both measured on a 7680 × 4320 photo (about 130 MB of pixels):

- **Allocating.** By default Pillow zero-fills an image in 16 MB blocks; once the process has
  freed a few large buffers, glibc serves such blocks from its heap and clears them with
  ``memset`` in one call holding the lock (6 to over 100 ms of GUI stall). One block as large
  as the whole image is always a fresh ``mmap``, whose pages the kernel hands out already
  zeroed as the decoder (which releases the lock) first writes them:
  :func:`allocate_large_images_lazily`, set on import.
- **Freeing.** Dropping that block is one ``munmap`` of every page it touched, inside Pillow's
  image destructor with the lock held: 9–35 ms. Keeping freed blocks in Pillow's own pool
  (``Image.core.set_blocks_max``) makes the free cheap but moves the cost to the next image:
  a pooled block is cleared with ``memset`` when Pillow hands it out again, 11–19 ms in one
  call, and glibc then serves blocks of that size from its heap, where part of them stays
  resident (4–17 MB more after trimming the pool, measured). So the one image that matters,
  the decode of the user's picture, is decoded into an anonymous mapping this module owns
  (:class:`MappedPixels`): the kernel zero-fills its pages as the decoder writes them, and
  CPython's ``mmap.close`` unmaps it with the lock released, so the GUI thread does not wait
  for the free (its 10–15 ms of CPU run beside it) and the memory goes back at once.

Decoding into the mapping uses ``Image.core.map_buffer``, the primitive behind Pillow's own
``Image.frombuffer`` and file mapping. Should a Pillow release refuse it, the image is
decoded as before, into Pillow's own memory.
"""

from __future__ import annotations

import mmap
import threading

from PIL import Image, ImageFile

__all__ = ["MAP_MIN_BYTES", "MappedPixels", "allocate_large_images_lazily"]

#: Images with fewer decoded bytes than this stay in Pillow's memory: freeing 4 MiB costs
#: well under a millisecond, less than the two system calls a mapping takes.
MAP_MIN_BYTES = 4 << 20

#: Bytes per pixel in Pillow's memory for the modes decoders produce (16-bit greyscale two,
#: every multi-band mode four, padded). A mode missing here is never mapped: a wrong line
#: length would let the decoder write past the mapping. 1-bit images (a byte a pixel) are
#: left out because ``map_buffer`` sizes them as four bytes a pixel (Pillow 13).
_PIXEL_BYTES = {
    "L": 1,
    "P": 1,
    "I;16": 2,
    "I;16L": 2,
    "I;16B": 2,
    "LA": 4,
    "La": 4,
    "PA": 4,
    "RGB": 4,
    "RGBA": 4,
    "RGBa": 4,
    "RGBX": 4,
    "CMYK": 4,
    "YCbCr": 4,
    "I": 4,
    "F": 4,
}

_SETUP_LOCK = threading.Lock()
_SETUP_DONE = False


def allocate_large_images_lazily() -> None:
    """Make Pillow allocate each image as one block (process-wide, once; see the module's
    docstring): no image is ever cleared with ``memset`` while the lock is held."""
    global _SETUP_DONE
    with _SETUP_LOCK:
        if not _SETUP_DONE:
            Image.core.set_use_block_allocator(1)
            _SETUP_DONE = True


class MappedPixels:
    """The memory of one decode: :meth:`load` decodes an image into an anonymous mapping,
    :meth:`release` (or leaving the ``with`` block) unmaps it without holding the lock.

    Use it around the image's whole life::

        with MappedPixels() as pixels:
            try:
                pixels.load(img)
                ...
            finally:
                img.close()

    Close the image (and drop every image that shares its pixels) before releasing: while
    Pillow still points into the mapping it cannot be unmapped, and :meth:`release` then
    leaves it to go with the last such image (CPython unmaps it with the lock released there
    too). Images made from the decoded one (``copy``, ``convert``, ``resize``) have pixels
    of their own. One instance serves one image; any thread, one at a time.
    """

    def __init__(self, min_bytes: int = MAP_MIN_BYTES) -> None:
        self._min_bytes = min_bytes
        self._mapping: mmap.mmap | None = None

    @property
    def mapped_bytes(self) -> int:
        """Size of the mapping :meth:`load` decoded into (0: Pillow's own memory, or released)."""
        return len(self._mapping) if self._mapping is not None and not self._mapping.closed else 0

    def load(self, img: ImageFile.ImageFile) -> None:
        """Decode ``img``'s pixels (``img.load()``): into a fresh mapping when they take at
        least ``min_bytes`` in a mode listed here, otherwise where Pillow puts them.

        Raises what ``img.load()`` raises. The image's pixels start zeroed either way, as
        Pillow's own allocation does, so a decoder that leaves parts unwritten (a GIF frame
        smaller than its canvas) gives the same picture.
        """
        # No tile yet is fine: WEBP decodes to bytes inside load(), then sets its tile.
        if self._mapping is None and not _has_pixels(img):
            self._attach(img)
        img.load()

    def release(self) -> None:
        """Give the mapping back to the system (idempotent). The ``munmap`` runs inside
        ``mmap.close``, which releases the interpreter lock."""
        mapping, self._mapping = self._mapping, None
        if mapping is None:
            return
        try:
            mapping.close()
        except BufferError:
            # A Pillow image still points into it: the mapping goes with the last reference.
            pass

    def __enter__(self) -> MappedPixels:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def _attach(self, img: ImageFile.ImageFile) -> None:
        pixel_bytes = _PIXEL_BYTES.get(img.mode)
        width, height = img.size
        if pixel_bytes is None or width <= 0 or height <= 0:
            return
        stride = width * pixel_bytes
        if stride * height < max(1, self._min_bytes):
            return
        try:
            # Private and anonymous: pages appear zeroed on first write, and are never shared.
            mapping = mmap.mmap(-1, stride * height, flags=mmap.MAP_PRIVATE)
        except (OSError, ValueError, AttributeError):
            return  # no address space for it (or no such flag here): Pillow's memory will do
        try:
            core = Image.core.map_buffer(mapping, (width, height), "raw", 0, (img.mode, stride, 1))
        except (AttributeError, TypeError, ValueError, MemoryError):
            mapping.close()
            return
        # ImageFile.load decodes into the image it finds already there (load_prepare).
        img.im = core
        self._mapping = mapping


def _has_pixels(img: Image.Image) -> bool:
    """Whether ``img`` already holds a core image (``_im`` since Pillow 11, ``im`` before)."""
    attributes = vars(img)
    return attributes.get("_im", attributes.get("im")) is not None
