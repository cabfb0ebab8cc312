"""Connect to the embedded fakeredis, a live Redis or a Redis Cluster, and keep each run in its namespace.

Third-party connection errors are translated into :mod:`redisprep.errors` here and only here.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from redisprep import fakegeo, fakelua
from redisprep.errors import (
    BackendUnavailableError,
    BackendUnsupportedError,
    BadUsageError,
)
from redisprep.features import FEATURES, PROBE_KEY, probe
from redisprep.masking import mask_url, redact, secrets_in
from redisprep.release import EMBEDDED, Release

if TYPE_CHECKING:
    import redis

BackendKind = Literal["embedded", "live", "cluster"]

#: Every key redisprep writes starts with this, then the run id. No braces: keys of one run still
#: spread over cluster slots; patterns add their own hash tags where they need one slot.
KEY_ROOT = "redisprep:"
#: The Redis version the embedded server imitates (Debian 12 ships 7.0.15; CI tests against it).
EMBEDDED_VERSION = EMBEDDED.version
#: Seconds to wait for a TCP connect, and for any reply, before declaring the server unreachable.
CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 2.0
#: The oldest server redisprep runs on (ACL users, RESP3-era commands; 6.2 and 7.x are tested).
MIN_SERVER_VERSION = (6, 0)
#: The wire protocol of every client redisprep opens. RESP2 is chosen explicitly: redis-py 5.x
#: defaults to it and 8.x to RESP3 (falling back when HELLO is refused), and the reply shapes
#: differ (pairs as tuples or lists, XREADGROUP as a list or a map). One protocol everywhere gives
#: the same replies on every redis-py release, on fakeredis and on any server, and it is what
#: redis-cli shows.
PROTOCOL = 2

#: The end of a run's marker key (see :attr:`Namespace.marker`).
MARKER_SUFFIX = "~run"
_URL_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")
_ENV_ORDER = ("REDISPREP_URL", "REDIS_URL")


def resolve_url(cli_url: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """Pick the server URL: ``--url``, then ``REDISPREP_URL``, then ``REDIS_URL``, else embedded.

    Args:
        cli_url: The ``--url`` option, if given.
        environ: The environment to read (defaults to ``os.environ``).

    Returns:
        The URL to use, or None for the embedded fakeredis.
    """
    if cli_url:
        return cli_url
    env = os.environ if environ is None else environ
    for name in _ENV_ORDER:
        if env.get(name):
            return env[name]
    return None


def validate_url(url: str) -> tuple[str, bool]:
    """Check a URL's form before connecting.

    Returns:
        The URL redis-py understands, and whether it names a cluster (``redis+cluster://``).

    Raises:
        BadUsageError: The URL cannot name a Redis server.
    """
    shown = mask_url(url)
    hidden = secrets_in(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadUsageError(redact(f"malformed URL {shown}: {exc}", hidden)) from None
    if parts.scheme not in _URL_SCHEMES:
        raise BadUsageError(
            f"malformed URL {shown}: scheme must be one of {', '.join(s + '://' for s in _URL_SCHEMES)}"
        )
    is_cluster = parts.scheme.endswith("+cluster")
    scheme = parts.scheme.removesuffix("+cluster")
    if scheme != "unix" and not parts.hostname:
        raise BadUsageError(f"malformed URL {shown}: no host")
    db = parts.path.lstrip("/")
    if scheme != "unix" and db and not db.isdigit():
        raise BadUsageError(redact(f"malformed URL {shown}: database must be a number, not {db!r}", hidden))
    if is_cluster and db.strip("0"):
        raise BadUsageError(f"malformed URL {shown}: a Redis Cluster has only database 0")
    if port is not None and not 0 < port < 65536:
        raise BadUsageError(f"malformed URL {shown}: port out of range")
    # Only the scheme changes: rebuilding with urlunsplit would turn unix:///run/redis.sock into
    # unix:/run/redis.sock, which redis-py rejects.
    redis_url = scheme + url[url.index(":") :]
    _check_options(redis_url, shown, is_cluster)
    return redis_url, is_cluster


def _check_options(url: str, shown: str, is_cluster: bool) -> None:
    """Build (without connecting) what redis-py would build, so a bad ``?option=`` is a usage error.

    redis-py checks query options late and raises ValueError, TypeError or KeyError from inside
    its connection classes; here they become one ``malformed URL`` line.
    """
    import redis
    from redis.connection import ConnectionPool, parse_url

    try:
        if is_cluster:
            # RedisCluster takes options a single connection does not: check values only.
            if parse_url(url).get("db", 0) != 0:
                raise ValueError("a Redis Cluster has only database 0")
        else:
            ConnectionPool.from_url(url, **_fast_fail_options()).make_connection()
    except (ValueError, TypeError, KeyError, redis.RedisError) as exc:
        text = _first_line(exc)
        unknown = re.search(r"unexpected keyword argument '(\w+)'", text)
        problem = f"unknown option {unknown.group(1)!r}" if unknown else text
        raise BadUsageError(redact(f"malformed URL {shown}: {problem}", secrets_in(url))) from None


@dataclass(frozen=True, slots=True)
class Namespace:
    """The key prefix of one run; every key the run writes starts with :attr:`prefix`."""

    run_id: str
    """Sortable id: start time in hex seconds, a dash, and 6 random hex digits."""

    @classmethod
    def new(cls, now: float | None = None) -> Namespace:
        """A fresh namespace whose id records when the run started."""
        started = int(time.time() if now is None else now)
        return cls(f"r{started:x}-{secrets.token_hex(3)}")

    @property
    def prefix(self) -> str:
        """``redisprep:<run id>:``."""
        return f"{KEY_ROOT}{self.run_id}:"

    def key(self, *parts: str) -> str:
        """Join ``parts`` with ``:`` under the prefix: ``ns.key("lb", "scores")``."""
        return self.prefix + ":".join(parts)

    @property
    def marker(self) -> str:
        """``redisprep:<run id>~run``: written first and deleted last by a run on a live server.

        ``redisprep clean`` removes only runs whose marker it finds. It lies outside
        :attr:`prefix`, so the grader's per-run ACL user (limited to the prefix) cannot touch it.
        """
        return f"{KEY_ROOT}{self.run_id}{MARKER_SUFFIX}"

    @property
    def started_at(self) -> int:
        """Unix time the run started, read back from the id."""
        return int(self.run_id[1:].split("-", 1)[0], 16)


@dataclass
class Backend:
    """A connected Redis: hands out clients that all see one dataset."""

    kind: BackendKind
    """``embedded`` (in-process fakeredis), ``live`` (one server) or ``cluster``."""
    label: str
    """What to show the user: a masked URL, or a description of the embedded server."""
    version: tuple[int, ...]
    """The server's version (the imitated one for the embedded backend)."""
    disposable: bool
    """True when redisprep started this server itself, so it may flush or reconfigure it."""
    _factory: Callable[..., redis.Redis] = field(repr=False)
    _clients: list[Any] = field(default_factory=list, repr=False)
    _node_factory: Callable[[str, int], redis.Redis] | None = field(default=None, repr=False)
    _commands: dict[str, bool] = field(default_factory=dict, repr=False)
    _features: dict[str, bool] = field(default_factory=dict, repr=False)
    _release: Release | None = field(default=None, repr=False)
    _url: str | None = field(default=None, repr=False)
    """The URL as the user gave it, password included: never shown (:attr:`label` is masked)."""

    @property
    def url(self) -> str | None:
        """The URL this backend connected with, secret-bearing: for worker processes only, never printed.

        None for the embedded fakeredis, which no other process can reach.
        """
        return self._url

    @property
    def release(self) -> Release:
        """The server's family and release (Valkey reports itself as Redis 7.2.4 in ``version``)."""
        return self._release or Release.redis(*self.version)

    @property
    def is_simulated(self) -> bool:
        """True for the embedded backend: encodings, memory and cluster behaviour are modelled."""
        return self.kind == "embedded"

    def client(self, **options: Any) -> redis.Redis:
        """A new client on the same dataset (one per thread for concurrent demos).

        Args:
            options: redis-py keyword options for this client only, for example
                ``load_balancing_strategy=LoadBalancingStrategy.ROUND_ROBIN`` on a cluster to read
                from replicas.
        """
        c = self._factory(**options)
        self._clients.append(c)
        return c

    def node_client(self, host: str, port: int) -> redis.Redis:
        """A plain client on one node of a cluster, with the backend's credentials and timeouts.

        It talks to that node only (no routing, no redirects followed) and keeps one connection,
        so ``ASKING`` and the command after it travel together.

        Raises:
            BackendUnsupportedError: The backend is not a cluster.
        """
        if self._node_factory is None:
            raise BackendUnsupportedError(f"{self.label} is not a Redis Cluster")
        c = self._node_factory(host, port)
        self._clients.append(c)
        return c

    def has_command(self, name: str) -> bool:
        """Whether the server knows ``name`` (for example ``bf.add``, ``hexpire``). Cached."""
        import redis

        key = name.lower()
        if key not in self._commands:
            client = self.client()
            # A cluster client cannot route a keyless command by itself: any node knows the table.
            where = {"target_nodes": client.get_random_node()} if self.kind == "cluster" else {}
            try:
                info = client.execute_command("COMMAND INFO", key, **where)
            except redis.ResponseError:
                info = None
            self._commands[key] = bool(info) and any(bool(v) for v in _values(info))
        return self._commands[key]

    def supports(self, feature: str) -> bool:
        """Whether the server does ``feature`` (a name in :data:`redisprep.features.FEATURES`). Cached.

        Asked of the server with a probe that writes nothing, never read off a version number.
        """

        if feature not in self._features:
            client = self.client()
            # On a cluster, the node that serves the probe's key answers (some probes name no key
            # redis-py could route by).
            where = {"target_nodes": client.get_node_from_key(PROBE_KEY)} if self.kind == "cluster" else {}
            self._features[feature] = probe(client, FEATURES[feature], **where)
        return self._features[feature]

    def answers(self, timeout_s: float = 0.5) -> bool:
        """Whether the server answers ``PING`` now, on a fresh connection with short timeouts.

        Tells a server that went away from code that failed on its own (a learner's blocking
        command that outlived the socket timeout, a closed connection).
        """
        import redis
        from redis.exceptions import RedisClusterException

        if self.kind == "embedded":
            return True
        try:
            client = self._factory(socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except (redis.RedisError, RedisClusterException, OSError):
            return False

    def close(self) -> None:
        """Close every client handed out."""
        for c in self._clients:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing a dead socket must not hide the real error
                pass
        self._clients.clear()


def _values(info: Any) -> list[Any]:
    if isinstance(info, dict):
        return list(info.values())
    if isinstance(info, list):
        return info
    return [info]


def connect(url: str | None, *, cluster: bool = False, disposable: bool = False) -> Backend:
    """Connect to ``url``, or start the embedded fakeredis when ``url`` is None.

    Retries are off and timeouts short, so an unreachable server fails in about a second.

    Args:
        url: A ``redis://``, ``rediss://``, ``unix://`` or ``redis+cluster://`` URL, or None.
        cluster: Treat ``url`` as one node of a Redis Cluster.
        disposable: The caller started this server and may flush it (tests, eviction demos).

    Raises:
        BadUsageError: The URL is malformed.
        BackendUnavailableError: The server cannot be reached or refuses the credentials.
    """
    if url is None:
        return _embedded()
    redis_url, named_cluster = validate_url(url)
    label = mask_url(url)
    if cluster or named_cluster:
        return _cluster(redis_url, label, disposable, url)
    return _live(redis_url, label, disposable, url)


def _embedded() -> Backend:
    import fakeredis

    fakegeo.install()  # geo scores as Redis keeps them (52-bit integers), while fakeredis lacks it
    fakelua.install()  # each script compiled once, as Redis does (fakeredis parses it on every EVAL)
    server = fakeredis.FakeServer(version=EMBEDDED_VERSION)
    version = ".".join(str(v) for v in EMBEDDED_VERSION)

    def factory(**options: Any) -> redis.Redis:
        return fakeredis.FakeRedis(
            server=server, **{"decode_responses": True, "protocol": PROTOCOL, **options}
        )

    return Backend(
        kind="embedded",
        label=f"embedded fakeredis {fakeredis.__version__} (imitating Redis {version})",
        version=EMBEDDED_VERSION,
        disposable=True,
        _factory=factory,
    )


def _fast_fail_options() -> dict[str, Any]:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "decode_responses": True,
        "protocol": PROTOCOL,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_timeout": SOCKET_TIMEOUT_S,
        # redis-py retries 10 times with backoff by default: 4 s before a refused port fails.
        "retry": Retry(NoBackoff(), 0),
    }


def _live(url: str, label: str, disposable: bool, given: str) -> Backend:
    import redis

    options = _fast_fail_options()

    def factory(**overrides: Any) -> redis.Redis:
        return redis.Redis.from_url(url, **{**options, **overrides})

    with translate_errors(label):
        probe = factory()
        probe.ping()
        release = _server_release(probe)
        clustered = _cluster_enabled(probe)
        probe.close()
    version = release.redis_version
    _refuse_old(label, version)
    if clustered:
        # Commands on keys of other nodes would fail with MOVED or CROSSSLOT halfway through, and
        # SCAN (clean) would see one node's keys only: refuse before anything is written.
        raise BackendUnsupportedError(
            f"{label} is a Redis Cluster node; pass --cluster or use a redis+cluster:// URL"
        )
    return Backend(
        kind="live",
        label=label,
        version=version,
        disposable=disposable,
        _factory=factory,
        _release=release,
        _url=given,
    )


def connect_like(url: str, like: Backend) -> Backend:
    """A backend on the server ``like`` reaches, logging in as ``url`` says, without probing it.

    For a restricted user (the practice grader's per-run ACL user), which may not run the
    ``INFO`` that :func:`connect` probes with: version and kind are taken from ``like``.

    Raises:
        BadUsageError: The URL is malformed.
    """
    import redis

    redis_url, _ = validate_url(url)
    options = _fast_fail_options()
    if like.kind == "cluster":
        from redis.cluster import RedisCluster

        options.pop("retry")

        def cluster_factory(**overrides: Any) -> redis.Redis:
            return RedisCluster.from_url(redis_url, **{**options, **overrides})

        factory: Callable[..., redis.Redis] = cluster_factory
    else:

        def factory(**overrides: Any) -> redis.Redis:
            return redis.Redis.from_url(redis_url, **{**options, **overrides})

    return _ProbedBy(
        like.kind,
        like.label,
        like.version,
        like.disposable,
        factory,
        _release=like.release,
        _url=url,
        _like=like,
    )


@dataclass
class _ProbedBy(Backend):
    """A backend whose feature and command probes go through another one (with more rights)."""

    _like: Backend | None = field(default=None, repr=False)

    def has_command(self, name: str) -> bool:
        return self._like.has_command(name) if self._like is not None else super().has_command(name)

    def supports(self, feature: str) -> bool:
        return self._like.supports(feature) if self._like is not None else super().supports(feature)


def _cluster_enabled(client: Any) -> bool:
    """Whether a server runs in cluster mode (``INFO cluster``: ``cluster_enabled:1``)."""
    info = client.info("cluster")
    return isinstance(info, dict) and str(info.get("cluster_enabled", "0")) == "1"


def _cluster(url: str, label: str, disposable: bool, given: str) -> Backend:
    from redis.cluster import RedisCluster

    if url.lower().startswith("unix:"):
        raise BadUsageError(f"{label}: a Redis Cluster is reached over TCP, not a Unix socket")
    options = _fast_fail_options()
    options.pop("retry")
    with translate_errors(label):
        probe = RedisCluster.from_url(url, **options)
        probe.ping(target_nodes=RedisCluster.ALL_NODES)
        release = _server_release(probe)
        probe.close()
    version = release.redis_version
    _refuse_old(label, version)

    def factory(**overrides: Any) -> redis.Redis:
        # A RedisCluster fetches the slot map when created; one per client keeps per-thread
        # wrappers (tracer, interleaving gates) on separate objects.
        return RedisCluster.from_url(url, **{**options, **overrides})

    def node_factory(host: str, port: int) -> redis.Redis:
        import redis

        parts = urlsplit(url)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@{host}:{port}" if auth else f"{host}:{port}"
        node_url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return redis.Redis.from_url(node_url, single_connection_client=True, **_fast_fail_options())

    return Backend(
        kind="cluster",
        label=f"{label} (cluster)",
        version=version,
        disposable=disposable,
        _factory=factory,
        _node_factory=node_factory,
        _release=release,
        _url=given,
    )


def _refuse_old(label: str, version: tuple[int, ...]) -> None:
    """Refuse a server older than :data:`MIN_SERVER_VERSION`, by the version it reports in INFO."""
    if version < MIN_SERVER_VERSION:
        shown = ".".join(str(v) for v in version) or "unknown"
        raise BackendUnsupportedError(
            f"{label} is older than Redis 6.0 (it reports version {shown}); redisprep needs 6.0 or later"
        )


def _server_release(client: Any) -> Release:
    """The server's release from ``INFO server`` (Valkey names itself in ``server_name``)."""
    info = client.info("server")
    if isinstance(info, dict) and "redis_version" not in info:
        # RedisCluster returns {node_name: info}.
        info = next(iter(info.values()))
    return Release.from_info(info if isinstance(info, dict) else {})


#: How to give a password, in the hint for a server that needs one.
NEEDS_PASSWORD = "redis://:PASSWORD@host:port, or redis://USER:PASSWORD@host:port"


@contextmanager
def translate_errors(label: str) -> Iterator[None]:
    """Turn redis-py's connection and server errors into one-line redisprep errors.

    Args:
        label: The masked server URL, used in the message.
    """
    import redis
    from redis.exceptions import AuthenticationError, MovedError, NoPermissionError, RedisClusterException

    try:
        yield
    except AuthenticationError as exc:
        text = _first_line(exc)
        if "authentication required" in text.lower():  # HELLO without credentials: NOAUTH
            text = f"the server needs a password ({NEEDS_PASSWORD})"
        raise BackendUnavailableError(f"authentication failed for {label}: {text}") from None
    except (redis.ConnectionError, redis.TimeoutError, ConnectionError) as exc:
        raise BackendUnavailableError(f"cannot reach {label}: {_first_line(exc)}") from None
    except MovedError as exc:
        raise BackendUnsupportedError(
            f"{label} is a Redis Cluster node (MOVED {exc.slot_id} {exc.host}:{exc.port}); "
            "pass --cluster or use a redis+cluster:// URL"
        ) from None
    except NoPermissionError as exc:
        raise BackendUnavailableError(f"permission denied on {label}: {exc}") from None
    except RedisClusterException as exc:
        # Raised while loading a cluster's layout; other RedisClusterExceptions are our bugs.
        text = _first_line(exc)
        if "cluster mode is not enabled" in text.lower():
            raise BackendUnsupportedError(
                f"{label} is not a Redis Cluster node (cluster mode is disabled); drop --cluster"
            ) from None
        if text.startswith("Redis Cluster cannot be connected"):
            if _is_auth_problem(text.lower()):
                raise BackendUnavailableError(f"authentication failed for {label}: {text}") from None
            raise BackendUnavailableError(f"cannot reach the cluster at {label}: {text}") from None
        raise
    except redis.exceptions.InvalidResponse as exc:
        # Something answers on that port, but not in RESP: an HTTP server, an SSH daemon...
        raise BackendUnavailableError(
            f"{label} does not answer like a Redis server (wrong port?): {_first_line(exc)}"
        ) from None
    except redis.ResponseError as exc:
        text = _first_line(exc)
        lowered = text.lower()
        if isinstance(exc, redis.exceptions.OutOfMemoryError) or "used memory > 'maxmemory'" in lowered:
            raise BackendUnsupportedError(
                f"{label} refuses writes: it is full (maxmemory, with the noeviction policy); free "
                "memory, raise maxmemory or choose an eviction policy"
            ) from None
        unknown = re.search(r"unknown command [`']([^`']*)[`']", text, re.IGNORECASE)  # 6.2 quotes with `
        if unknown and not lowered.startswith("unknown command"):  # inside a pipeline's error
            raise BackendUnsupportedError(
                f"{label} does not know {unknown.group(1).upper()} (renamed or disabled in its config?)"
            ) from None
        if "noauth" in lowered or "already authenticated" in lowered:
            raise BackendUnavailableError(
                f"authentication failed for {label}: the server needs a password ({NEEDS_PASSWORD})"
            ) from None
        if _is_auth_problem(lowered):
            raise BackendUnavailableError(f"authentication failed for {label}: {text}") from None
        if lowered.startswith("unknown command") or "wrong number of arguments" in lowered:
            raise BackendUnsupportedError(f"{label} does not support this: {text}") from None
        if "db index is out of range" in lowered:
            raise BackendUnsupportedError(f"{label} has no such database: {text}") from None
        raise


def _is_auth_problem(lowered: str) -> bool:
    """Server texts that mean the credentials are missing or wrong."""
    words = (
        "noauth",
        "wrongpass",
        "invalid password",
        "invalid username-password",
        "authenticated",
        "authentication required",
    )
    return any(w in lowered for w in words)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def delete_namespace(client: Any, ns: Namespace) -> int:
    """Delete every key of ``ns`` (SCAN MATCH + UNLINK, never KEYS), then its marker, last.

    Keys are read as bytes, so a key that is not UTF-8 is deleted like any other.

    Returns:
        How many keys were removed (the marker not counted).
    """
    removed = sum(_unlink(client, batch) for batch in _batches(scan_raw(client, ns.prefix.encode() + b"*")))
    client.unlink(ns.marker)
    return removed


def scan_raw(client: Any, pattern: bytes) -> Iterator[bytes]:
    """Every key matching ``pattern``, as bytes, on every primary of a cluster (SCAN, never KEYS)."""
    from redis.client import NEVER_DECODE
    from redis.cluster import RedisCluster

    nodes: list[Any] = [client]
    if isinstance(client, RedisCluster):
        # One plain client per primary: a cluster client merges SCAN replies into a dict per node.
        nodes = [client.get_redis_connection(node) for node in client.get_primaries()]
    for node in nodes:
        cursor: Any = 0
        while True:
            cursor, keys = node.execute_command(
                "SCAN", cursor, "MATCH", pattern, "COUNT", 1000, **{NEVER_DECODE: True}
            )
            yield from keys
            if int(cursor) == 0:
                break


def _batches(keys: Iterable[bytes], size: int = 500) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for key in keys:
        batch.append(key)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _unlink(client: Any, keys: list[bytes]) -> int:
    from redis.cluster import RedisCluster

    if isinstance(client, RedisCluster):
        # Keys of one run span many slots; delete them one by one (each routed to its node).
        return sum(int(client.unlink(k)) for k in keys)
    return int(client.unlink(*keys))
