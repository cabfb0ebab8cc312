"""Golden outputs: ``drill list``, ``practice list`` and ``drill all --seed 0`` stay as they were.

They guard moves of drill code (issue 18): a move that changes what a user sees fails here. Figures
that vary from run to run (durations, the run id in key names, timings and counts a concurrent
scenario produces) are left out: narration and messages keep their words with each digit run
replaced by ``#``, figures keep their titles and columns, checks their ids and verdicts.

After a change meant to alter these outputs, refresh the files and review the diff::

    REDISPREP_GOLDEN_REFRESH=1 .venv/bin/python -m pytest -q tests/test_golden.py -n 0 -p no:randomly
    git diff tests/golden/
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).with_name("golden")
REFRESH = os.environ.get("REDISPREP_GOLDEN_REFRESH") == "1"
DIGITS = re.compile(r"\d+")
#: A run's namespace (``redisprep:r6b1308cc-b767f5:``) and the simulated node that serves its keys.
RUN_ID = re.compile(r"redisprep:r[0-9a-f]+-[0-9a-f]+:")
NODE = re.compile(r"\bsim-[a-z]\b")
#: The redirection drill tells what the installed redis-py's cluster client does after MOVED replies,
#: which differs between releases (6.3 reloads the layout at once, 8.2 asks for a rate-limited
#: refresh; tests/test_redirection*.py checks each): the golden file keeps the sentence, not the release.
REDISPY_REFRESH = re.compile(r"(redis-py #(?:\.#)* patches the one slot on every MOVED, and )[^;]*;")
#: Outputs that vary from run to run by design, left out of the comparison. The cache drill's
#: eviction step starts its own server: Redis samples keys at random and the fill's duration picks
#: the words. How many keys a run leaves to remove depends on timing (TTLs that expire or not
#: during a run, eviction), so only whether it removed any is compared.
VARIES = {
    ("cache", "Eviction when memory runs out"),
}


def _words(text: str) -> str:
    words = DIGITS.sub("#", NODE.sub("sim-?", RUN_ID.sub("redisprep:<run>:", text)))
    return REDISPY_REFRESH.sub(r"\1<what this redis-py does>;", words)


def _documents(text: str) -> list[Any]:
    """The JSON documents ``drill all --json`` prints one after another."""
    decoder, at, docs = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return docs
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)


def _check(check: dict[str, Any]) -> dict[str, Any]:
    kept = ("id", "title", "passed", "expected", "pitfall", "as_expected")
    return {
        **{k: check[k] for k in kept},
        "message": _words(check["message"]),
        "measured": sorted(check["measured"] or {}),
    }


def _step(drill: str, step: dict[str, Any]) -> dict[str, Any]:
    varies = (drill, step["title"]) in VARIES
    return {
        "title": step["title"],
        "ok": step["ok"],
        "skipped": step["skipped"],
        "narration": ["(varies)"] if varies else [_words(n) for n in step["narration"]],
        "figures": [
            {"type": f.get("type"), "title": _words(f.get("title") or ""), "columns": f.get("columns")}
            for f in step["figures"]
        ],
        "checks": [_check(c) for c in step["checks"]],
    }


def _drill(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: doc[k] for k in ("drill", "title", "seed", "ok", "questions")},
        "removed_keys": doc["keys_removed"] > 0,
        "steps": [_step(doc["drill"], s) for s in doc["steps"]],
        "costs": [{k: c[k] for k in ("operation", "commands", "complexity")} for c in doc["costs"]],
    }


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REFRESH:
        path.write_text(actual)
    assert path.is_file(), f"no golden file {path}: run with REDISPREP_GOLDEN_REFRESH=1"
    expected = path.read_text()
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), str(path), "now", lineterm="")
        pytest.fail(
            f"{name} changed (refresh as this module's docstring says, if meant):\n"
            + "\n".join(list(diff)[:60])
        )


def test_drill_list_json_is_unchanged(invoke: Any) -> None:
    result = invoke("drill", "list", "--json", catch=False)
    assert result.exit_code == 0, result.stderr
    _compare("drill-list.json", result.stdout)


def test_drill_list_table_is_unchanged(invoke: Any) -> None:
    result = invoke("drill", "list", catch=False)
    assert result.exit_code == 0, result.stderr
    _compare("drill-list.txt", result.stdout)


def test_practice_list_is_unchanged(invoke: Any) -> None:
    result = invoke("practice", "list", catch=False)
    assert result.exit_code == 0, result.stderr
    _compare("practice-list.txt", result.stdout)


#: Skip reason when the installed fakeredis probes differently from the one the file was made with.
SKIP_OTHER_FAKEREDIS = (
    "the golden drill output was recorded on an embedded backend that offers other features"
)


def _embedded_features() -> dict[str, bool]:
    """What the drills' own probes find on the embedded backend (they narrate a missing feature)."""
    from redisprep.backends import connect
    from redisprep.features import FEATURES

    backend = connect(None)
    try:
        return {name: backend.supports(name) for name in sorted(FEATURES)}
    finally:
        backend.close()


def test_drill_all_on_the_embedded_backend_is_unchanged(invoke: Any) -> None:
    from redisprep.localserver import find_binary

    find_binary()  # recorded with one: the cache drill's eviction step starts a throw-away server
    recorded = GOLDEN / "drill-all-features.json"
    features = _embedded_features()
    if REFRESH:
        recorded.write_text(json.dumps(features, indent=1) + "\n")
    differ = sorted(n for n, ok in json.loads(recorded.read_text()).items() if features.get(n) != ok)
    if differ:  # the lowest fakeredis of the matrix, for one: its drills skip a step, and say so
        pytest.skip(f"{SKIP_OTHER_FAKEREDIS} ({', '.join(differ)} differ, probed)")
    result = invoke("drill", "all", "--json", "--seed", "0", catch=False)
    assert result.exit_code == 0, result.stderr
    shape = [_drill(doc) for doc in _documents(result.stdout)]
    _compare("drill-all-seed0.json", json.dumps(shape, indent=1, ensure_ascii=False) + "\n")
