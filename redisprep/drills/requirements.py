"""What a drill needs from the server (a minimum version, commands), checked before it writes anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redisprep.errors import BackendUnsupportedError

if TYPE_CHECKING:
    from redisprep.backends import Backend


@dataclass(frozen=True, slots=True)
class Needs:
    """A drill's server requirements, declared next to its steps.

    The version covers commands and options alike (``ZRANGE ... REV`` arrived in 6.2 although
    ``ZRANGE`` is older) that every run needs; the commands are probed with ``COMMAND INFO``, so a
    server that renamed or disabled one is refused up front instead of failing halfway through a
    step. What only some steps use is :attr:`optional`: those steps probe and skip, naming what is
    missing, and the drill is not refused for them.
    """

    version: tuple[int, ...] = ()
    """The oldest Redis the drill runs on (empty: whatever redisprep itself needs, 6.0)."""
    why: str = ""
    """The commands and options behind :attr:`version`, in a few words, for the error message."""
    commands: tuple[str, ...] = ()
    """Commands newer than 6.0 the drill cannot do without."""
    optional: tuple[str, ...] = ()
    """Features (:data:`redisprep.features.FEATURES`) some steps use after probing for them; on a
    server without one those steps are skipped, naming it, and the rest of the drill runs."""


def check_needs(drill: str, needs: Needs, backend: Backend) -> None:
    """Refuse a server that lacks what ``drill`` needs, naming what is missing.

    Call it inside :func:`redisprep.backends.translate_errors`: the command probe talks to the server.

    Raises:
        BackendUnsupportedError: The server is too old, or lacks one of the commands.
    """
    if needs.version and backend.version < needs.version:
        reason = f" ({needs.why})" if needs.why else ""
        raise BackendUnsupportedError(
            f"the {drill} drill needs Redis {_dotted(needs.version)} or later{reason}; "
            f"{backend.label} is {_dotted(backend.version)}"
        )
    missing = [c for c in needs.commands if not backend.has_command(c)]
    if missing:
        raise BackendUnsupportedError(
            f"the {drill} drill needs {', '.join(missing)}, which {backend.label} does not offer "
            "(renamed or disabled in its configuration?)"
        )


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(v) for v in version) or "unknown"
