"""Judges an entry the way the window does (the queue waits a minute before the rewrite), says
so, then waits to be killed (for the pending-comment tests).

Usage: pending_kill_helper.py LIBRARY_ROOT ENTRY_ID STARS [exit-after-edit]
Prints "judged" once the rating is stored and noted; never writes the comment. With
``exit-after-edit`` the process ends (``os._exit``, as a kill would) right after the sidecar
and the row took the rating, before the queue hears of it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]

from wan_desktop.library import Library  # noqa: E402
from wan_desktop.library.comment_pending import PendingFile  # noqa: E402
from wan_desktop.library.comment_sync import CommentSync  # noqa: E402


def main() -> int:
    root, entry_id, stars = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    lib = Library.open(root)
    sync = CommentSync(lib.sync_comment, delay_s=600, pending_file=PendingFile(root))
    if sys.argv[4:] == ["exit-after-edit"]:
        lib.on_judged(lambda entry_id: os._exit(9), before=sync.note)
    else:
        lib.on_judged(sync.changed, before=sync.note)
    lib.set_rating(entry_id, stars)
    print("judged", flush=True)
    time.sleep(600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
