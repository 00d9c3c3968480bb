"""``library rebuild`` puts the job queue back too: the entry point the command line calls
after the library has rebuilt its index (the library cannot call up into jobs)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..library import Library
from .record_file import restore_queue
from .store import JobRecord, JobStore

__all__ = ["restore_after_rebuild"]


def restore_after_rebuild(root: Path | str | None = None) -> list[JobRecord]:
    """Restore the jobs whose folders hold records the table lacks, in the library at
    ``root`` (default: the app's); says how many on stderr. Blocking: main thread of a CLI."""
    with Library.open(root) as library:
        store = JobStore(library.paths.db)
        try:
            restored = restore_queue(library.root, store)
        finally:
            store.close()
    if restored:
        unfinished = sum(1 for rec in restored if not rec.state.is_final)
        noun = "job" if unfinished == 1 else "jobs"
        print(
            f"job queue: {unfinished} unfinished {noun} (of {len(restored)}) restored from "
            "their folders (see `wan-desktop jobs list`)",
            file=sys.stderr,
        )
    return restored
