"""The drill catalog: the explicit list of drill modules, joined with their ``drill.yaml`` metadata."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any, get_args

from redisprep import resources
from redisprep._yaml import brief, line_of, line_of_key, load_yaml
from redisprep.drills.model import DrillGroup, Question
from redisprep.drills.spec import CatalogEntry, Drill, DrillMeta
from redisprep.errors import DataFormatError, UnknownNameError

#: Every drill module, in the order ``drill list`` and ``drill all`` use. Add new drills here.
DRILL_MODULES = (
    "redisprep.drills.leaderboard",
    "redisprep.drills.cache",
    "redisprep.drills.lock",
    "redisprep.drills.rate_limit",
    "redisprep.drills.proximity",
    "redisprep.drills.event_sourcing",
    "redisprep.drills.strings",
    "redisprep.drills.hashes",
    "redisprep.drills.lists",
    "redisprep.drills.sets",
    "redisprep.drills.sorted_sets",
    "redisprep.drills.bloom",
    "redisprep.drills.geo",
    "redisprep.drills.time_series",
    "redisprep.drills.hyperloglog",
    "redisprep.drills.pubsub_vs_streams",
    "redisprep.drills.hot_key",
    "redisprep.drills.redirection",
)

GROUP_TITLES: dict[str, str] = {
    "use-case": "Use cases",
    "data-structure": "Data structures",
    "scaling": "Scaling out",
}


@functools.cache
def load_catalog(data_dir: Path | None = None) -> tuple[CatalogEntry, ...]:
    """Import every drill module and read its metadata.

    Raises:
        DataFormatError: A ``drill.yaml`` is missing or malformed.
        ValueError: Two modules declare the same drill name (a programming error).
    """
    entries: list[CatalogEntry] = []
    seen: set[str] = set()
    for module_name in DRILL_MODULES:
        drill: Drill = importlib.import_module(module_name).DRILL
        if drill.name in seen:
            raise ValueError(f"drill {drill.name!r} is declared twice")
        seen.add(drill.name)
        meta_path = resources.drills_dir(data_dir) / drill.name / "drill.yaml"
        entries.append(CatalogEntry(drill, load_meta(meta_path, drill.name)))
    return tuple(entries)


def drill_names(data_dir: Path | None = None) -> list[str]:
    """Names in catalog order."""
    return [e.name for e in load_catalog(data_dir)]


def get_drill(name: str, data_dir: Path | None = None) -> CatalogEntry:
    """The drill called ``name``.

    Raises:
        UnknownNameError: No such drill (the message suggests the closest names).
    """
    for entry in load_catalog(data_dir):
        if entry.name == name:
            return entry
    raise UnknownNameError("drill", name, drill_names(data_dir))


def load_meta(path: Path, name: str) -> DrillMeta:
    """Read and validate one ``drill.yaml``.

    Raises:
        DataFormatError: With ``file:line`` of the problem.
    """
    if not path.is_file():
        raise DataFormatError(str(path), None, f"missing metadata file for drill {name!r}")
    doc = load_yaml(path)
    where = str(path)
    if not isinstance(doc, dict):
        raise DataFormatError(where, 1, "expected a mapping at the top level")
    for field in ("name", "title", "group", "summary", "questions"):
        if field not in doc:
            raise DataFormatError(where, line_of(doc, 1), f"missing field {field!r}")
    if doc["name"] != name:
        found = brief(doc["name"])
        raise DataFormatError(where, line_of_key(doc, "name"), f"name is {found}, folder is {name!r}")
    groups = get_args(DrillGroup)
    if doc["group"] not in groups:
        raise DataFormatError(
            where,
            line_of_key(doc, "group"),
            f"group must be one of {', '.join(groups)}, not {brief(doc['group'])}",
        )
    return DrillMeta(
        name=name,
        title=_text(doc, "title", where),
        group=doc["group"],
        summary=_text(doc, "summary", where),
        questions=tuple(
            _question(q, where, line_of_key(doc, "questions")) for q in _list(doc, "questions", where)
        ),
    )


def _text(doc: Any, field: str, where: str) -> str:
    value = doc[field]
    if not isinstance(value, str) or not value.strip():
        raise DataFormatError(where, line_of_key(doc, field), f"{field!r} must be non-empty text")
    return " ".join(value.split())


def _list(doc: Any, field: str, where: str) -> list[Any]:
    value = doc[field]
    if not isinstance(value, list):
        raise DataFormatError(where, line_of_key(doc, field), f"{field!r} must be a list")
    return value


def _question(item: Any, where: str, fallback: int | None) -> Question:
    """One question; ``fallback`` is the line to blame when ``item`` is not a mapping."""
    if not isinstance(item, dict) or "q" not in item or "points" not in item:
        raise DataFormatError(where, line_of(item, fallback), "a question needs 'q' and 'points'")
    points = item["points"]
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        raise DataFormatError(where, line_of_key(item, "points"), "'points' must be a list of text")
    return Question(_text(item, "q", where), tuple(" ".join(p.split()) for p in points))
