"""Where things live: the prompts, the bundled corpus and the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

import jixiao.prompts

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent  # the checkout, in an editable install (docs/, tests/ live there)
PROMPTS_DIR = Path(jixiao.prompts.__file__).resolve().parent  # package data: editable or installed alike
BUNDLED_CORPUS = PACKAGE_DIR / "corpus" / "bundled.json"
DEFAULT_DATA_DIR = Path("jixiao-data")


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The store location: ``override``, else ``$JIXIAO_DATA_DIR``, else ``./jixiao-data``."""
    chosen = override or os.environ.get("JIXIAO_DATA_DIR") or DEFAULT_DATA_DIR
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path
