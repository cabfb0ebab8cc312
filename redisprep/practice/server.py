"""Where a grade is run: a server the run owns, or a user's server behind a per-run ACL user.

Three places, in order of preference when no ``--url`` is given: a private ``redis-server`` that
the run starts and stops (real Redis semantics; its password exists only in the grader's memory),
else an embedded fakeredis in the grader's own process. With ``--url`` the run creates an ACL user
limited to its prefix on that server and sends every learner command as that user; a server where
some user needs no password is refused, since the limit would mean nothing there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from redisprep.backends import Backend, Namespace, connect_like, translate_errors
from redisprep.errors import BackendUnsupportedError, RedisprepError
from redisprep.localserver import LocalServer
from redisprep.practice import acl
from redisprep.private import Private
from redisprep.run import Run
from redisprep.signals import held

OPEN_SERVER = (
    "{label} lets a connection in without a password (user {who!r} needs none), so a per-run "
    "user could not keep the graded code away from your data; drop --url to grade on a private "
    "server that redisprep starts, or give the server's users passwords"
)


@dataclass
class GradingServer:
    """The backend the checks and learner commands use, and the grader's own admin connection.

    The :class:`~redisprep.run.Run` it is granted to owns the rest: the admin connection, the private
    server, the run's keys. This revokes the run user first (:meth:`revoke`), as the run ends.
    """

    backend: Backend
    """Clients for the checks and the learner's commands (the run's ACL user where there is one)."""
    admin: Backend
    """Full rights: creates and deletes the run user, removes the run's keys, checks liveness."""
    where: str
    """What the report says about where the grade ran."""
    private: LocalServer | None = None
    user: acl.RunUser | None = None
    foreign: bool = False
    """True with ``--url``: the server holds data that is not the run's."""

    @property
    def pids(self) -> tuple[int, ...]:
        """Processes of the grader's own (never killed with the learner's)."""
        return (self.private.pid,) if self.private is not None else ()

    @property
    def detail(self) -> str:
        """What an interrupt message adds to the keys it removed."""
        return " and its ACL user" if self.foreign else ""

    def revoke(self) -> None:
        """Close the learner's clients and delete the run user from a foreign server.

        A private server needs neither: the run stops it.
        """
        self.backend.close()
        if self.foreign and self.user is not None:
            with translate_errors(self.admin.label):
                acl.delete(self.admin.client(), self.user.name, all_nodes=self.admin.kind == "cluster")
            self.user = None


def open_server(run: Run, categories: Sequence[str]) -> GradingServer:
    """Prepare where to grade on ``run``'s backend or private server (see the module docstring).

    The result is granted to ``run``, so its user is deleted before the run's keys are removed.

    Raises:
        BackendUnavailableError: The server refuses the credentials.
        BackendUnsupportedError: The server has a user without a password, or refuses ACL SETUSER.
    """
    if run.private is not None:
        server = _private(run.private, run.ns, categories)
    else:
        server = _behind_user(run.backend, run.ns, categories)
    run.grant(server)
    return server


def _private(private: Private, ns: Namespace, categories: Sequence[str]) -> GradingServer:
    if private.server is None:
        where = f"a private {private.label} inside redisprep (no redis-server installed)"
        return GradingServer(private.admin, private.admin, where)
    with translate_errors(private.admin.label):
        user = acl.create(private.admin.client(), ns.run_id, _rules(private.admin, ns, categories))
    backend = connect_like(private.url_for(user.name, user.password), private.admin)
    where = f"a private {private.label} started for this run (port {private.server.port})"
    return GradingServer(backend, private.admin, where, private=private.server, user=user)


def _behind_user(admin: Backend, ns: Namespace, categories: Sequence[str]) -> GradingServer:
    import redis

    assert admin.url is not None  # a foreign server is reached by URL
    all_nodes = admin.kind == "cluster"
    with translate_errors(admin.label):
        client = admin.client()
        try:
            doors = acl.open_doors(client)
        except redis.ResponseError as exc:
            raise BackendUnsupportedError(
                f"cannot check the users of {admin.label} ({exc}); grading there needs a user that may "
                "run ACL commands; drop --url to grade on a private server"
            ) from None
        if doors:
            raise BackendUnsupportedError(OPEN_SERVER.format(label=admin.label, who=doors[0]))
    try:
        with translate_errors(admin.label):
            user = acl.create(client, ns.run_id, _rules(admin, ns, categories), all_nodes=all_nodes)
        backend = connect_like(_with_credentials(admin.url, user.name, user.password), admin)
    except BaseException:  # Ctrl-C included: the user may exist even if create() did not return
        with held(), contextlib.suppress(RedisprepError), translate_errors(admin.label):
            acl.delete(admin.client(), acl.user_name(ns.run_id), all_nodes=all_nodes)
        raise
    where = f"{admin.label}, as a user of this run's that may touch only {ns.prefix}* (deleted afterwards)"
    return GradingServer(backend, admin, where, user=user, foreign=True)


def _rules(admin: Backend, ns: Namespace, categories: Sequence[str]) -> list[str]:
    channels = admin.kind == "embedded" or admin.version >= (6, 2)
    return acl.rules_for(ns.prefix, categories, channels=channels, cluster=admin.kind == "cluster")


def _with_credentials(url: str, username: str | None, password: str) -> str:
    """``url`` logging in as ``username`` (the default user when None) with ``password``."""
    parts = urlsplit(url)
    user = quote(username, safe="") if username else ""
    host = parts.netloc.rpartition("@")[2]
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith(("password=", "username="))
    )
    if parts.scheme.startswith("unix"):
        extra = f"username={quote(username, safe='')}&" if username else ""
        query = f"{extra}password={quote(password, safe='')}" + (f"&{query}" if query else "")
        return urlunsplit((parts.scheme, host, parts.path, query, ""))
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
