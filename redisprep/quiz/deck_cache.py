"""Keep each deck file's parsed result in a cache file, so a quiz starts without reading YAML.

An entry is used only while its deck file has the same size and modification time (nanoseconds)
as when it was parsed, and the whole cache only while the code that parses decks is the same (a
hash of its source) under the same Python: an edited deck, or a new release, is parsed again at
once. What is kept is whatever :func:`redisprep.quiz.deck.parse_deck` returned (its ``Deck`` and
problems, pickled as they are), so a change to the card schema needs no change here.

It also remembers which command and predict cards were checked (their own answer run on the
embedded server) and held, so a session does not check them again before showing them; that memory
goes with the entry when the file changes, and is void when the sandbox's code or the installed
fakeredis, lupa or redis-py changes.

The file is safe to delete, and any trouble reading or writing it (corrupt, truncated, written by
another user, a read-only disk) only means parsing again. It is read only when it belongs to the
current user and nobody else may write it, because unpickling runs whatever the file says.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from redisprep.resources import user_cache_dir

if TYPE_CHECKING:
    from redisprep.quiz.model import Card

T = TypeVar("T")

#: Raise to drop every existing cache file (its layout changed).
CACHE_FORMAT = 1
#: The file name inside the cache folder.
FILE_NAME = "decks.pickle"
#: The modules whose source decides what a deck file parses into.
_PARSER_MODULES = (
    "_yaml.py",
    "errors.py",
    "quiz/deck.py",
    "quiz/_fields.py",
    "quiz/model.py",
    "quiz/replies.py",
)
#: ... and whose source, with the installed packages, decides whether a card's answer holds.
_SANDBOX_MODULES = ("backends.py", "quiz/sandbox.py", "quiz/judge.py", "quiz/replies.py", "quiz/model.py")
_SANDBOX_PACKAGES = ("fakeredis", "lupa", "redis")


def _sources(names: tuple[str, ...], salt: str) -> Any:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{sys.version}:{salt}".encode())
    for name in names:
        try:
            digest.update(name.encode() + b"\0" + (root / name).read_bytes())
        except OSError:
            digest.update(name.encode() + b"\0missing")
    return digest


def code_fingerprint() -> str:
    """A hash of the parsing code's source and the Python version: entries from other code are void."""
    return str(_sources(_PARSER_MODULES, "parse").hexdigest())


def sandbox_fingerprint() -> str:
    """A hash of the checking code and of where and when fakeredis, lupa and redis-py were installed.

    Found without importing them (an upgrade rewrites their ``__init__.py``).
    """

    digest = _sources(_SANDBOX_MODULES, "sandbox")
    for name in _SANDBOX_PACKAGES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(f"{name}:{origin}:{_stamp(Path(origin)) if origin else None}".encode())
    return str(digest.hexdigest())


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class DeckCache:
    """Parsed deck files by absolute path, each with the size and mtime it was parsed at.

    Use :meth:`parse` in place of the parser, then :meth:`save` once.
    """

    def __init__(self, path: Path, fingerprint: str | None = None) -> None:
        """Read the cache at ``path`` (a missing or unusable file is an empty cache)."""
        self.path = path
        self.fingerprint = fingerprint or code_fingerprint()
        # (absolute path, path as given) -> [(size, mtime_ns), parsed, sandbox fingerprint, checked ids]
        self._entries: dict[tuple[str, str], list[Any]] = {}
        self._dirty = False
        self._used: set[tuple[str, str]] = set()
        self.hits = 0
        self.misses = 0
        self._sandbox: str | None = None
        loaded = _read(path)
        if isinstance(loaded, dict) and loaded.get("fingerprint") == self.fingerprint:
            entries = loaded.get("entries")
            if isinstance(entries, dict):
                self._entries = entries

    def parse(self, file: Path, parser: Callable[[Path], T]) -> T:
        """``parser(file)``, or what it returned last time while ``file`` has not changed since."""
        # The path as given is part of the key: it is the path the parsed problems name.
        key = (os.path.abspath(file), str(file))
        stamp = _stamp(file)
        self._used.add(key)
        entry = self._entries.get(key)
        if stamp is not None and entry is not None and entry[0] == stamp:
            self.hits += 1
            return entry[1]  # type: ignore[no-any-return]
        self.misses += 1
        result = parser(file)
        after = _stamp(file)
        if stamp is not None and after == stamp:  # not written to while we read it
            self._entries[key] = [stamp, result, None, set()]
            self._dirty = True
        elif entry is not None:
            del self._entries[key]
            self._dirty = True
        return result

    def remembering(self, check: Callable[[Card], None]) -> Callable[[Card], None]:
        """``check`` (which raises when a card's own answer does not hold), skipped for a card that
        held before while its deck file and the sandbox are unchanged; call :meth:`save` after."""

        def checked(card: Card) -> None:
            entry = self._entries.get((os.path.abspath(card.where.path), card.where.path))
            if entry is not None and entry[0] != _stamp(Path(card.where.path)):
                entry = None  # edited since it was loaded: check, and remember nothing
            if self._sandbox is None:
                self._sandbox = sandbox_fingerprint()
            if entry is not None and entry[2] == self._sandbox and card.id in entry[3]:
                return
            check(card)
            if entry is not None:
                if entry[2] != self._sandbox:
                    entry[2], entry[3] = self._sandbox, set()
                entry[3].add(card.id)
                self._dirty = True

        return checked

    def save(self) -> None:
        """Write the cache if anything changed (atomically; failures are ignored).

        Entries of files that no longer exist are dropped, so the cache cannot grow without bound.
        """
        gone = [k for k in self._entries if k not in self._used and not os.path.exists(k[0])]
        for key in gone:
            del self._entries[key]
        if not (self._dirty or gone):
            return
        data = {"fingerprint": self.fingerprint, "entries": self._entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".decks-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            return  # a cache that cannot be written only costs the next start its speed
        self._dirty = False


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as f:
            if not _trusted(os.fstat(f.fileno())):
                return None
            return pickle.load(f)  # our own file: owned by this user, written by save()
    except Exception:  # unreadable for any reason (truncated, another version's classes): rebuild
        return None


def _trusted(st: os.stat_result) -> bool:
    """Owned by the current user and writable by nobody else (POSIX); Windows has no such bits."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def default_cache_path(environ: Mapping[str, str] | None = None) -> Path:
    """``decks.pickle`` in the user's cache folder (:func:`redisprep.resources.user_cache_dir`)."""

    return user_cache_dir(environ) / FILE_NAME
