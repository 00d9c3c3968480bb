"""wan-desktop: image-to-video with Wan 2.6 flash and a local, offline library."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # The version comes from the installed metadata (pyproject.toml is the one source).
    # Looked up on first use: importlib.metadata costs ~50 ms, too much for start-up.
    if name != "__version__":
        raise AttributeError(f"module 'wan_desktop' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("wan-desktop")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        version = "0.0.0+source"
    globals()["__version__"] = version
    return version
