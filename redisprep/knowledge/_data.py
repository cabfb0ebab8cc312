"""Reads the JSON tables shipped in ``redisprep/knowledge/data/`` (``importlib.resources``, zip-safe)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def load(name: str) -> dict[str, Any]:
    """The parsed ``data/<name>`` (``commands.json``)."""
    text = (
        files(__package__ or "redisprep.knowledge")
        .joinpath("data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    payload: dict[str, Any] = json.loads(text)
    return payload
