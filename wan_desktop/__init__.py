"""wan-desktop: image-to-video with Wan 2.6 flash and a local, offline library."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("wan-desktop")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
