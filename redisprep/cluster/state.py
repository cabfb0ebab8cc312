"""Where ``redisprep cluster up`` records the cluster it started: a JSON file in the user's data folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from redisprep.errors import DataFormatError
from redisprep.resources import user_data_dir

STATE_VERSION = 1


def state_file(home: Path | None = None) -> Path:
    """The state file of the local cluster."""
    return (home or user_data_dir()) / "cluster.json"


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One node redisprep started: enough to find it again and to prove it is still ours."""

    port: int
    pid: int
    run_id: str
    """``INFO server run_id``: changes on every start, so a reused PID or port cannot pass for ours."""
    node_id: str
    """``CLUSTER MYID``."""
    role: str
    """``master`` or ``replica`` when the cluster was created."""
    workdir: str

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``."""
        return f"127.0.0.1:{self.port}"


@dataclass(frozen=True, slots=True)
class ClusterRecord:
    """A cluster started by ``redisprep cluster up``."""

    masters: int
    replicas: int
    started_at: float
    nodes: tuple[NodeRecord, ...]

    @property
    def url(self) -> str:
        """A URL any redisprep command accepts: ``redis+cluster://127.0.0.1:<first port>``."""
        return f"redis+cluster://{self.nodes[0].address}"


def save(record: ClusterRecord, path: Path) -> None:
    """Write ``record`` to ``path`` (atomically: a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"format_version": STATE_VERSION, **asdict(record)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def load(path: Path) -> ClusterRecord | None:
    """Read the record at ``path``; None if there is none.

    Raises:
        DataFormatError: The file exists but is not a record this version wrote.
    """
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format_version") != STATE_VERSION:
            raise ValueError(f"format_version is {doc.get('format_version')!r}, expected {STATE_VERSION}")
        nodes = tuple(NodeRecord(**n) for n in doc["nodes"])
        if not nodes:
            raise ValueError("no nodes")
        return ClusterRecord(int(doc["masters"]), int(doc["replicas"]), float(doc["started_at"]), nodes)
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFormatError(
            str(path), None, f"not a cluster state file ({exc}); remove it if no cluster is running"
        ) from None


def remove(path: Path) -> None:
    """Delete the state file (nothing happens if it is gone)."""
    path.unlink(missing_ok=True)
