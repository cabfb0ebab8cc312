"""The suite's password-protected server: its password, its URL, and where practice grades."""

from __future__ import annotations

from dataclasses import dataclass

from redisprep.backends import Backend
from redisprep.localserver import LocalServer

#: The password of the suite's locked server (its ``default`` user needs it).
LOCK = "suite-admin-pw"


def locked_url(server: LocalServer) -> str:
    """``server``'s URL with the suite's admin password in it."""
    return f"redis://:{LOCK}@127.0.0.1:{server.port}"


@dataclass
class GradedOn:
    """Where practice grades: ``url`` is what ``--url`` gets (None: embedded), ``backend`` reads it."""

    url: str | None
    backend: Backend
