"""What the service said about its video against what was downloaded (pure; any thread).

fal's result may describe its ``video`` (width, height, duration, ...). The app keeps those
facts with the entry and compares them with the probe of the file it received: a
disagreement is worth a warning in the job's log (the file may not be the one announced),
never a failure, since the downloaded file was checked to be a playable video.
"""

from __future__ import annotations

from ..fal.output import VideoFile
from ..media.video import VideoInfo

__all__ = ["DURATION_TOLERANCE_S", "disagreements"]

#: How far the stated duration may be from the probe's (seconds): containers round the last
#: frame's length differently, so a fraction of a second is the same clip.
DURATION_TOLERANCE_S = 0.25


def disagreements(stated: VideoFile, probed: VideoInfo) -> list[str]:
    """A sentence for each of width, height and duration (seconds) that the service stated
    and that the downloaded file does not have; empty when they agree or nothing was stated.
    """
    lines: list[str] = []
    for name, said, got in (
        ("width", stated.width, probed.width),
        ("height", stated.height, probed.height),
    ):
        if said is not None and said != got:
            lines.append(f"the service said the video is {said} px in {name}; the file is {got}.")
    if (
        stated.duration is not None
        and abs(stated.duration - probed.duration_s) > DURATION_TOLERANCE_S
    ):
        lines.append(
            f"the service said the video lasts {stated.duration:g} s; the file lasts "
            f"{probed.duration_s:.2f} s."
        )
    return lines
