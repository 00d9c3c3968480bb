"""Write an empty index database of every schema version into ``schemas/`` (``vN.db``).

Run after adding a migration: ``.venv/bin/python tests/library/make_schema.py``. Existing files
are kept (a past schema must stay as it was released), so only the new version is written.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from wan_desktop.library import migrations  # noqa: E402


def main() -> int:
    folder = HERE / "schemas"
    folder.mkdir(exist_ok=True)
    for version in range(1, migrations.CURRENT_VERSION + 1):
        target = folder / f"v{version}.db"
        if target.exists():
            continue
        conn = sqlite3.connect(target, isolation_level=None)
        migrations.migrate(conn, target=version)
        conn.execute("VACUUM")
        conn.close()
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
