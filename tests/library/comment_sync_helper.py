"""Rates entries and writes their comments in a loop until killed (for the crash tests).

Usage: comment_sync_helper.py LIBRARY_ROOT [exit-before-sidecar]
Prints "ready" once the library is open, then one line per comment written. With
``exit-before-sidecar`` the process ends (``os._exit``, as a kill would) right after the first
rewritten video is renamed into place and before its sidecar is written: the one moment the
video and its sidecar disagree.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]

from wan_desktop.library import Library, comment_rewrite  # noqa: E402


def main() -> int:
    root = Path(sys.argv[1])
    lib = Library.open(root)
    if sys.argv[2:] == ["exit-before-sidecar"]:

        def die(folder, data):  # the signature of write_sidecar
            os._exit(9)

        comment_rewrite.write_sidecar = die
    ids = sorted(summary.id for summary in lib.list())
    print("ready", flush=True)
    for n in itertools.count(1):
        entry_id = ids[n % len(ids)]
        lib.set_rating(entry_id, n % 6)
        lib.set_flag(entry_id, ("", "picked", "rejected")[n % 3])
        lib.sync_comment(entry_id)
        print(entry_id, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
