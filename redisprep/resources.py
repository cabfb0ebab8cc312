"""Locate the data redisprep ships (flashcard decks, drill folders, interviews, the command table).

This is the only module that knows where data lives. A wheel carries ``flashcards/``, ``drills/``
and ``interviews/`` under ``redisprep/_data/``; an editable install or a checkout reads them from
the repository root. A ``data_dir`` given by the user (``--data-dir``) wins over both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root(data_dir: Path | None = None) -> Path:
    """Return the folder that holds ``flashcards/`` and ``drills/``.

    Args:
        data_dir: A user override; used as is when given.

    Returns:
        The override, the wheel's ``redisprep/_data``, or the checkout root, in that order.
    """
    if data_dir is not None:
        return data_dir
    shipped = Path(str(files("redisprep"))) / "_data"
    if (shipped / "drills").is_dir():
        return shipped
    return _PACKAGE_DIR.parent


def drills_dir(data_dir: Path | None = None) -> Path:
    """The folder with one sub-folder per drill (metadata, starter code, hints)."""
    return data_root(data_dir) / "drills"


def interviews_dir(data_dir: Path | None = None) -> Path:
    """The folder with the shipped interview scenarios (``redisprep interview``)."""
    return data_root(data_dir) / "interviews"


def flashcards_dir(data_dir: Path | None = None) -> Path:
    """The folder with the shipped flashcard decks."""
    return data_root(data_dir) / "flashcards"


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where redisprep keeps the user's own state (quiz progress, practice hints, cluster state).

    ``$REDISPREP_HOME`` wins; otherwise ``$XDG_DATA_HOME/redisprep`` or ``~/.local/share/redisprep``
    (Linux), ``~/Library/Application Support/redisprep`` (macOS), ``%LOCALAPPDATA%\\redisprep``
    (Windows). Not created here.
    """

    env = os.environ if environ is None else environ
    if env.get("REDISPREP_HOME"):
        return Path(env["REDISPREP_HOME"]).expanduser()
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "redisprep"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "redisprep"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "redisprep"


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where redisprep keeps files it can rebuild (the parsed flashcard decks). Not created here.

    ``$REDISPREP_HOME/cache`` when ``$REDISPREP_HOME`` is set; otherwise ``$XDG_CACHE_HOME/redisprep``
    or ``~/.cache/redisprep`` (Linux), ``~/Library/Caches/redisprep`` (macOS),
    ``%LOCALAPPDATA%\\redisprep\\Cache`` (Windows).
    """

    env = os.environ if environ is None else environ
    if env.get("REDISPREP_HOME"):
        return Path(env["REDISPREP_HOME"]).expanduser() / "cache"
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "redisprep" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "redisprep"
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "redisprep"
