"""Adds entries to a library in a loop until killed (for the crash test).

Usage: kill_helper.py LIBRARY_ROOT SOURCE_CLIP WORK_FOLDER
Prints "ready" once the library is open, then one line per entry written. Every third entry
is moved to the trash and every fifth restored, so a kill can land in those moves too.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]

from library_entries import fake_audio, fake_image  # noqa: E402

from wan_desktop.core.request import GenerationRequest  # noqa: E402
from wan_desktop.library import Library, NewEntry  # noqa: E402


def main() -> int:
    root, source, work = (Path(a) for a in sys.argv[1:4])
    work.mkdir(parents=True, exist_ok=True)
    lib = Library.open(root)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        clip = work / f"incoming-{n}.mp4"
        shutil.copy(source, clip)
        request = GenerationRequest(prompt=f"crash test entry {n}", image="x.png", seed=n)
        entry = lib.add(
            NewEntry(
                video_path=clip,
                image=fake_image(),
                audio=fake_audio() if n % 2 else None,
                request=request,
                arguments=request.to_arguments("input.png"),
                response={"seed": n},
            )
        )
        if n % 3 == 0:
            lib.trash(entry.id)
        if n % 5 == 0:
            trashed = lib._query("SELECT id FROM entries WHERE trashed_at IS NOT NULL LIMIT 1")
            if trashed:
                lib.restore(trashed[0][0])
        print(entry.id, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
