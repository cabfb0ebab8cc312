"""Remove a run's keys when it ends, without a second long wait when the server stopped answering."""

from __future__ import annotations

from redisprep.backends import Backend, Namespace, clean_stale, delete_namespace, translate_errors
from redisprep.errors import BackendUnavailableError, RedisprepError

#: Seconds the last cleanup attempt may wait after the server already failed to answer once.
QUICK_TIMEOUT_S = 0.5


def remove_run_keys(backend: Backend, ns: Namespace) -> int:
    """Delete every key of ``ns``; returns how many were removed.

    Raises:
        BackendUnavailableError: The server cannot be reached.
    """
    with translate_errors(backend.label):
        client = backend.client()
        try:
            return delete_namespace(client, ns)
        finally:
            client.close()


def remove_stale_runs(backend: Backend, older_than_s: float) -> tuple[int, int]:
    """``redisprep clean``: delete keys of runs older than ``older_than_s``; (runs, keys) removed.

    Raises:
        BackendUnavailableError: The server cannot be reached, or went away while scanning.
    """
    with translate_errors(backend.label):
        return clean_stale(backend.client(), older_than_s=older_than_s)


def after_backend_failure(
    backend: Backend, ns: Namespace, error: BackendUnavailableError, *, gone: bool = False
) -> RedisprepError:
    """Try once, quickly, to delete ``ns``'s keys after ``error``; return the error to raise.

    A server that was killed refuses at once, but one that stopped answering (paused, overloaded,
    a network partition) would make a normal attempt wait the whole socket timeout again. When the
    keys cannot be removed the message says so and names the command that removes them later.

    Args:
        backend: The backend the run used.
        ns: The run's namespace.
        error: What the run failed with.
        gone: The server was just found not to answer (no attempt is made).
    """
    if backend.kind == "embedded":
        return error
    if gone:
        return _left_behind(error, ns)
    try:
        with translate_errors(backend.label):
            client = backend.client(socket_timeout=QUICK_TIMEOUT_S, socket_connect_timeout=QUICK_TIMEOUT_S)
            try:
                delete_namespace(client, ns)
            finally:
                client.close()
    except RedisprepError:
        return _left_behind(error, ns)
    return error


def _left_behind(error: BackendUnavailableError, ns: Namespace) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"{error}; keys of run {ns.run_id} may be left on the server: 'redisprep clean' removes them"
    )
