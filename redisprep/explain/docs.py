"""Where a command's documentation comes from: the server's own COMMAND DOCS when it answers, else the
shipped table, with the cited supplements for deprecations the table lacks."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from redisprep.explain.key_inspectors import server_command
from redisprep.knowledge.commands import CommandDoc, command_doc, table_source
from redisprep.knowledge.supplements import supplement
from redisprep.resp import as_map


@dataclass(frozen=True, slots=True)
class DocInfo:
    """A command's documentation and where each part came from."""

    doc: CommandDoc
    source: str
    """``COMMAND DOCS of the server (Redis 7.2.4)`` or ``shipped table: COMMAND DOCS of Redis 7.0.15``."""
    deprecation_source: str | None = None
    """Set when the deprecation comes from :mod:`redisprep.knowledge.supplements`."""

    @property
    def deprecation(self) -> str | None:
        """``deprecated since 6.2.0; use `ZRANGE` with the `REV` argument`` or None."""
        if not self.doc.deprecated_since:
            return None
        text = f"deprecated since {self.doc.deprecated_since}"
        if self.doc.replaced_by:
            text += f"; use {self.doc.replaced_by}"
        if self.deprecation_source:
            text += f" (documented in {self.deprecation_source})"
        return text


@dataclass
class CommandDocs:
    """Looks up documentation, asking the server first when it has COMMAND DOCS (Redis 7.0+)."""

    client: Any = None
    """A client of a live server, or None to use only the shipped table."""
    server_label: str = ""
    _cache: dict[str, DocInfo | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server_ok: bool = True

    def get(self, name: str) -> DocInfo | None:
        """The documentation of ``name`` (``ZADD``, ``XGROUP CREATE``), or None if nobody documents it."""
        key = name.upper()
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        info = self._lookup(key)
        with self._lock:
            self._cache[key] = info
        return info

    def _lookup(self, name: str) -> DocInfo | None:
        doc, source = self._from_server(name), f"COMMAND DOCS of the server ({self.server_label})"
        cited = command_doc(name) if doc is not None and doc.complexity is None else None
        if doc is not None and cited is not None and cited.complexity is not None:
            # A module's commands (BF.*) are in COMMAND DOCS with a group and no complexity; the
            # complexity comes from the module's own documentation, named as the source.
            doc = replace(doc, summary=doc.summary or cited.summary, complexity=cited.complexity)
            source += f", complexity from {cited.source or table_source()}"
        if doc is None:
            doc = command_doc(name)
            source = f"shipped table: {table_source()}"
            if doc is not None and doc.source is not None:
                source = f"not in Redis 7.0; from {doc.source}"
        if doc is None:
            return None
        extra = supplement(name)
        if doc.deprecated_since is None and extra is not None:
            doc = CommandDoc(
                doc.name, doc.summary, doc.complexity, doc.group, doc.since, extra.since, extra.replaced_by
            )
            return DocInfo(doc, source, extra.source)
        return DocInfo(doc, source)

    def _from_server(self, name: str) -> CommandDoc | None:
        if self.client is None or not self._server_ok:
            return None
        import redis

        head, _, sub = name.partition(" ")
        try:
            reply = server_command(self.client, "COMMAND DOCS", head.lower())
        except redis.ResponseError:
            self._server_ok = False  # older than 7.0, or COMMAND DOCS is not allowed
            return None
        entry = docs_map(reply).get(head.lower())
        if entry and sub:
            entry = (entry.get("subcommands") or {}).get(f"{head.lower()}|{sub.lower()}")
        if not entry:
            return None
        return _doc(name, entry)


def docs_map(reply: Any) -> dict[str, Any]:
    """A ``COMMAND DOCS`` reply as ``{name: {field: value}}``, whichever protocol carried it.

    A command's ``subcommands`` field is again such a reply.
    """
    out: dict[str, Any] = {}
    for name, fields in as_map(reply).items():
        entry = as_map(fields)
        if "subcommands" in entry:
            entry["subcommands"] = docs_map(entry["subcommands"])
        out[str(name)] = entry
    return out


def _doc(name: str, entry: dict[str, Any]) -> CommandDoc:
    def opt(key: str) -> str | None:
        value = entry.get(key)
        return None if value in (None, "") else str(value)

    return CommandDoc(
        name=name,
        summary=str(entry.get("summary", "")),
        complexity=opt("complexity"),
        group=str(entry.get("group", "")),
        since=str(entry.get("since", "")),
        deprecated_since=opt("deprecated_since"),
        replaced_by=opt("replaced_by"),
    )
