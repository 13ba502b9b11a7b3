"""Where things live: the prompts, the bundled corpus and the user's data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
INSTALLED_PROMPTS = Path(sys.prefix) / "share" / "jixiao" / "prompts"  # non-editable installs
PROMPTS_DIR = REPO_DIR / "prompts" if (REPO_DIR / "prompts").is_dir() else INSTALLED_PROMPTS
BUNDLED_CORPUS = PACKAGE_DIR / "corpus" / "bundled.json"
DEFAULT_DATA_DIR = Path("jixiao-data")


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The store location: ``override``, else ``$JIXIAO_DATA_DIR``, else ``./jixiao-data``."""
    chosen = override or os.environ.get("JIXIAO_DATA_DIR") or DEFAULT_DATA_DIR
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path
