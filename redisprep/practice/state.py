"""The learner's practice state (hints seen, last grade per exercise), kept in the user's data dir."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redisprep.errors import DataFormatError


@dataclass(frozen=True, slots=True)
class Hint:
    """One hint, with its level (1-based) out of ``total``."""

    level: int
    total: int
    text: str


class PracticeState:
    """``practice.json`` in the data dir; every change is written atomically (temp file + rename)."""

    def __init__(self, home: Path) -> None:
        self.path = home / "practice.json"

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"hints": {}, "results": {}}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DataFormatError(str(self.path), None, f"cannot read practice state: {exc}") from None
        return {"hints": dict(data.get("hints", {})), "results": dict(data.get("results", {}))}

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".practice-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def next_hint(self, exercise: str, hints: tuple[str, ...]) -> Hint:
        """The next hint for ``exercise`` (the last one again once all were shown)."""
        data = self._load()
        level = min(int(data["hints"].get(exercise, 0)) + 1, len(hints))
        data["hints"][exercise] = level
        self._save(data)
        return Hint(level, len(hints), hints[level - 1])

    def record_result(self, exercise: str, passed: int, total: int, impl: str) -> None:
        """Remember the latest grade of ``exercise``."""
        data = self._load()
        data["results"][exercise] = {"passed": passed, "total": total, "impl": impl}
        self._save(data)

    def result(self, exercise: str) -> dict[str, Any] | None:
        """The latest grade recorded for ``exercise``, if any."""
        value = self._load()["results"].get(exercise)
        return dict(value) if isinstance(value, dict) else None
