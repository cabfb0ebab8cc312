"""Which keyset-cursor mistake explains the pages a leaderboard's ``page`` returned, page by page."""

from __future__ import annotations

from collections.abc import Callable

Entry = tuple[str, float]
#: Does an entry (score, member) come after the cursor (score, member) under a rule?
Rule = Callable[[float, str, float, str], bool]

SCORE_ONLY_CURSOR = (
    "a keyset cursor on the score alone repeats or skips players tied at a page edge; remember "
    "(score, member) and skip the tied members already returned"
)
TIES_WRONG_WAY = (
    "tied players at a page edge taken the wrong way: in REV order the rest of the tie has members "
    "below the cursor's member (member < cursor), not above it"
)
TRUNCATED_CURSOR = (
    "the cursor's score truncated to an integer (int(score)): players scored between it and the "
    "cursor's score are skipped; send the score as it is (repr(score))"
)

SCORES_AS_TEXT = (
    "scores compared as text ('100.5' < '90.75'): convert with tonumber() in Lua or float() in "
    "Python before comparing"
)


def _text(score: float) -> str:
    """A score as Redis writes it (%.17g): what a Lua script compares when it skips tonumber()."""
    return format(score, ".17g")


RULES: dict[str, tuple[Rule, str | None]] = {
    "right": (lambda s, m, cs, cm: (s, m) < (cs, cm), None),
    "score below": (lambda s, m, cs, cm: s < cs, SCORE_ONLY_CURSOR),
    "score at most": (lambda s, m, cs, cm: s <= cs, SCORE_ONLY_CURSOR),
    "ties reversed": (lambda s, m, cs, cm: s < cs or (s == cs and m > cm), TIES_WRONG_WAY),
    "int score": (lambda s, m, cs, cm: (s, m) < (int(cs), cm), TRUNCATED_CURSOR),
    # below: rows of ZRANGE cursor -inf BYSCORE REV, then filtered comparing the scores as text
    "text, ties": (lambda s, m, cs, cm: s <= cs and (_text(s), m) < (_text(cs), cm), SCORES_AS_TEXT),
    "text, or member": (lambda s, m, cs, cm: s <= cs and (_text(s) < _text(cs) or m < cm), SCORES_AS_TEXT),
}


def following(order: list[Entry], cursor: Entry, rule: Rule, n: int) -> list[str]:
    """The first ``n`` members of ``order`` (leaderboard order) that come after ``cursor`` by ``rule``."""
    member, score = cursor
    return [m for m, s in order if rule(s, m, score, member)][:n]


def paging_mistake(order: list[Entry], pages: list[list[Entry]], n: int) -> str | None:
    """The pitfall of the one wrong rule that reproduces every page that was not right, else None.

    Each page is judged from the previous page's last entry as the learner returned it, so one
    early mistake does not make every later page look wrong in its own way.
    """
    fits: set[str] | None = None
    for before, got in zip(pages, pages[1:], strict=False):
        if not before:
            continue
        names = [m for m, _ in got]
        if names == following(order, before[-1], RULES["right"][0], n):
            continue
        rules = {name for name, (rule, _) in RULES.items() if following(order, before[-1], rule, n) == names}
        fits = rules if fits is None else fits & rules
    pitfalls = {RULES[name][1] for name in fits or ()}
    return pitfalls.pop() if len(pitfalls) == 1 else None
