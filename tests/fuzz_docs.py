"""Hypothesis strategies for malformed and adversarial data files (decks, exercise.yaml, drill.yaml).

Four sources: arbitrary bytes, YAML-looking text, a valid document with random fields replaced,
removed or added (dumped back to YAML), and hand-written attacks (alias bombs, recursive aliases,
deep nesting, dangerous tags, duplicate keys, bad scalars) spliced into a valid document.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

DECK: dict[str, Any] = {
    "format_version": 1,
    "deck": "fuzz",
    "title": "Fuzzed deck",
    "cards": [
        {
            "id": "fuzz-typed",
            "kind": "typed",
            "tags": ["fuzz"],
            "front": "Which command adds to a score?",
            "answer": "ZINCRBY",
            "explanation": "It reads, adds and writes inside the server.",
        },
        {
            "id": "fuzz-choice",
            "kind": "choice",
            "tags": ["fuzz"],
            "front": "Pick one",
            "choices": ["a", "b"],
            "answer": "a",
            "explanation": "Because.",
        },
        {
            "id": "fuzz-reply",
            "kind": "predict",
            "predict": "reply",
            "tags": ["fuzz"],
            "front": "What does it return?",
            "setup": ["SET k 1"],
            "command": "INCR k",
            "answer": 2,
            "explanation": "INCR returns the new value.",
        },
    ],
}
EXERCISE: dict[str, Any] = {
    "format_version": 1,
    "exercise": "fuzz",
    "drill": "leaderboard",
    "difficulty": "easy",
    "module": "fuzz.py",
    "task": "Do the thing.",
    "hints": ["First hint.", "Second hint."],
}
DRILL: dict[str, Any] = {
    "format_version": 1,
    "name": "fuzz",
    "title": "A fuzzed drill",
    "group": "use-case",
    "summary": "What it shows.",
    "questions": [{"q": "Why?", "points": ["Because.", "And so."]}],
}

#: Text YAML reads as something else, or that looks alike but is not.
TRICKY = ["", " ", "yes", "no", "~", "2001-02-30", "0x1F", "1e999", "-.inf", "\u202e", "\U0001f600"]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**60, max_value=10**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        ["", " ", "yes", "no", "~", "2001-02-30", "0x1F", "1e999", "-.inf", "\u202e", "\U0001f600"]
    )
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

#: Hand-written attacks; ``{doc}`` is replaced by a valid document where it appears.
ATTACKS = (
    # A billion laughs: 10 levels of 10 aliases each.
    "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10))
    + "{doc}",
    "{doc}bomb: &b0 [a, a, a, a, a, a, a, a]\n"
    + "".join(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 8)}]\n" for i in range(1, 9)),
    "&top {self: *top}\n",
    "cards: &c [*c]\n{doc}",
    "x: &r [1, [2, *r]]\n{doc}",
    "[" * 600 + "]" * 600,
    "{a: " * 400 + "1" + "}" * 400,
    "".join("  " * i + "- \n" for i in range(400)),
    "!!python/object/apply:os.system ['true']\n",
    "x: !!python/name:os.system\n{doc}",
    "!!omap [1, 2]\n",
    "x: !!binary '%%%'\n{doc}",
    "x: !!bool maybe\n{doc}",
    "x: !!int nope\n{doc}",
    "x: !!timestamp never\n{doc}",
    "x: 2001-02-30\n{doc}",
    "x: " + "9" * 5000 + "\n{doc}",
    "? [a, b]\n: 1\n{doc}",
    "base: &b {title: t}\nm:\n  <<: *b\n  <<: 3\n{doc}",
    "{doc}{doc}",
    "{doc}---\n{doc}",
    "\ufeff{doc}",
    "{doc}\x00",
    '{doc}x: "\\ud800"\n',
    "x: *nowhere\n{doc}",
    "\t{doc}",
    "%YAML 9.9\n---\n{doc}",
    "%TAG ! tag:evil.example,2000:\n---\n!x {doc}",
)


def dump(doc: Any) -> str:
    """``doc`` as YAML text (block style, unicode kept)."""
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=False)


@st.composite
def mutated(draw: st.DrawFn, template: dict[str, Any]) -> str:
    """A copy of ``template`` (or of one of its nested mappings) with 1-3 random changes."""
    doc = yaml.safe_load(dump(template))
    for _ in range(draw(st.integers(1, 3))):
        target = doc
        if isinstance(doc.get("cards"), list) and doc["cards"] and draw(st.booleans()):
            target = doc["cards"][draw(st.integers(0, len(doc["cards"]) - 1))]
            if not isinstance(target, dict):
                target = doc
        keys = list(target) or ["x"]
        key = draw(st.sampled_from(keys) | st.text(max_size=10))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "delete":
            target.pop(key, None)
        else:
            target[key] = draw(VALUES)
    return dump(doc)


def documents(template: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Every kind of malformed file for a loader whose valid form is ``template``."""
    text = dump(template)
    yamlish = st.text(
        alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#%@`,? \n\t\r.~0123456789abcxyz\u00e9\u2028\ufeff\x85")),
        max_size=120,
    )
    return st.one_of(
        st.binary(max_size=200),
        yamlish.map(lambda s: s.encode("utf-8", "surrogatepass")),
        mutated(template).map(str.encode),
        st.sampled_from(ATTACKS).map(lambda a: a.replace("{doc}", text).encode("utf-8", "surrogatepass")),
        st.tuples(st.sampled_from(text.splitlines(keepends=True) or [""]), yamlish).map(
            lambda pair: (text.replace(pair[0], pair[1], 1)).encode("utf-8", "surrogatepass")
        ),
    )
