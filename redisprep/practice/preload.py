"""Import what learner code may need, before the grading child gives up its privileges."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

#: Standard-library modules not imported before the child gives up its privileges: GUIs, test
#: suites, installers, and modules that warn when imported (deprecated) or touch the terminal.
SKIP = frozenset(
    "antigravity this tkinter turtle turtledemo idlelib test lib2to3 ensurepip venv pydoc pydoc_data "
    "distutils curses readline dbm sqlite3 crypt nis ossaudiodev spwd msilib imp cgi cgitb mailcap "
    "pipes sndhdr sunau uu xdrlib aifc audioop chunk imghdr nntplib smtpd telnetlib asynchat asyncore "
    "msvcrt winreg winsound".split()
)
#: Imported with all their submodules (loaded lazily otherwise: a codec, ``concurrent.futures``),
#: together with redis-py and the graded drill's ``reference`` module (the parent names it).
WALK = frozenset(
    {
        "encodings",
        "concurrent",
        "importlib",
        "json",
        "urllib",
        "collections",
        "logging",
        "ctypes",
        "redis",
    }
)


def preload(extra: Sequence[str] = ()) -> None:
    """Import what learner code may import, before the child gives up its privileges.

    Afterwards (as ``nobody`` when the grader is root) a module in a folder that user cannot read,
    such as a Python under /root, could not be imported any more. The whole standard library's
    top level, plus :data:`WALK`, takes about 0.2 s.

    Args:
        extra: Modules of redisprep's that learner code may import too: the graded drill's
            ``reference`` (solutions build on it). Each drill package imports its checks and steps,
            so all 21 would add 0.13 s.
    """

    stdlib = getattr(sys, "stdlib_module_names", ())
    names = sorted(n for n in stdlib if not n.startswith("_") and n not in SKIP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in [*names, "redis", *extra]:
            module = _try_import(name)
            path = getattr(module, "__path__", None)
            if name not in WALK or not path:
                continue
            for info in pkgutil.walk_packages(path, name + "."):
                if not {"test", "tests", "__main__"} & set(info.name.split(".")):
                    _try_import(info.name)


def more(names: object) -> None:
    """Import the modules of redisprep's the parent names in a ``preload`` frame (others are ignored)."""
    if isinstance(names, list):
        for name in names:
            if isinstance(name, str) and name.startswith("redisprep."):
                _try_import(name)


def _try_import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a module this platform lacks, or one that needs a service
        return None
