"""The drill catalog: drills found by discovery (:mod:`.discovery`), joined with their ``drill.yaml``."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, get_args

from redisprep import resources
from redisprep._yaml import brief, line_of, line_of_key, load_yaml
from redisprep.drills import discovery
from redisprep.drills.definition import CatalogEntry, Drill, DrillMeta
from redisprep.drills.model import DrillGroup, Question
from redisprep.errors import DataFormatError, UnknownNameError

GROUP_TITLES: dict[str, str] = {
    "use-case": "Use cases",
    "data-structure": "Data structures",
    "scaling": "Scaling out",
    "operations": "Durability and the single thread",
}


@functools.cache
def load_metas(data_dir: Path | None = None) -> tuple[DrillMeta, ...]:
    """Every drill's metadata in catalog order, without importing any drill's code.

    Raises:
        DataFormatError: A ``drill.yaml`` is malformed, names a deck the data's ``flashcards/``
            folder lacks, or has no package (or a package has no ``drill.yaml``).
    """
    found = [
        (load_meta(path, path.parent.name), path)
        for path in discovery.data_folders(resources.drills_dir(data_dir))
    ]
    discovery.check_pairs(found, discovery.drill_packages())
    decks = resources.flashcards_dir(data_dir)
    for meta, path in found:  # a data folder without decks at all (drills only) lists as before
        if decks.is_dir() and not (decks / f"{meta.deck}.yaml").is_file():
            raise DataFormatError(
                str(path), None, f"deck {meta.deck!r} not found: no {decks / meta.deck}.yaml"
            )
    return tuple(sorted((meta for meta, _ in found), key=lambda m: (m.order, m.name)))


@functools.cache
def load_catalog(data_dir: Path | None = None) -> tuple[CatalogEntry, ...]:
    """Every drill with its code imported, in catalog order.

    Raises:
        DataFormatError: As :func:`load_metas`, or a drill package that does not load.
    """
    return tuple(_entry(meta) for meta in load_metas(data_dir))


def drill_names(data_dir: Path | None = None) -> list[str]:
    """Names in catalog order (data only)."""
    return [m.name for m in load_metas(data_dir)]


def get_drill(name: str, data_dir: Path | None = None) -> CatalogEntry:
    """The drill called ``name``, its code imported (only this drill's).

    Raises:
        UnknownNameError: No such drill (the message suggests the closest names).
    """
    for meta in load_metas(data_dir):
        if meta.name == name:
            return _entry(meta)
    raise UnknownNameError("drill", name, drill_names(data_dir))


def _entry(meta: DrillMeta) -> CatalogEntry:
    return CatalogEntry(_drill(meta), meta)


@functools.cache
def _drill(meta: DrillMeta) -> Drill:
    return discovery.import_drill(meta, discovery.drill_packages().get(discovery.package_of(meta.name)))


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
        order=_order(doc, where),
        deck=_text(doc, "deck", where) if "deck" in doc else name,
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


def _order(doc: Any, where: str) -> int:
    value = doc.get("order", 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise DataFormatError(
            where, line_of_key(doc, "order"), f"'order' must be a whole number, not {brief(value)}"
        )
    return value


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
