"""Where the shared standards test data lives (test helper, not a test file).

The README of the standards folder puts it at ``../shared/standards`` from the project root.
A clone elsewhere can point at it with ``MICROCERT_STANDARDS_DIR``; the workplace's own copy
is the last resort. Missing data is an error, never a reason to skip.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[4]


def _standards_dir() -> Path:
    candidates = [
        os.environ.get("MICROCERT_STANDARDS_DIR"),
        PROJECT_ROOT.parent / "shared" / "standards",
        "/work/shared/standards",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "README.md").is_file():
            return Path(candidate)
    return PROJECT_ROOT.parent / "shared" / "standards"


STANDARDS_DIR = _standards_dir()
