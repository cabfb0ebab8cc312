"""Check decks thoroughly: structure, ids, and every card's answer run or compared against Redis's docs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redisprep.knowledge.commands import command_doc, table_source
from redisprep.quiz.deck import deck_files, parse_decks
from redisprep.quiz.judge import verify_card
from redisprep.quiz.model import Card, Problem, Where
from redisprep.quiz.sandbox import sandbox_client

#: A cited source: a web address in the card's explanation or back (``Source: https://redis.io/...``).
_CITED = re.compile(r"https?://\S+|\b(?:redis\.io|valkey\.io|github\.com)/\S+")


@dataclass(frozen=True, slots=True)
class LintReport:
    """What ``redisprep quiz lint`` found."""

    files: int
    decks: int
    cards: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def lint(paths: Sequence[Path], drills_dir: Path | None = None) -> LintReport:
    """Validate the decks under ``paths`` (files or folders).

    Beyond what loading checks (YAML syntax, fields, kinds, duplicate ids), every command card's
    model answer and every predict card's setup and reply are run on a fresh embedded server,
    every complexity is compared with Redis 7.0's COMMAND DOCS, every drill link must name a
    drill folder under ``drills_dir``, and every card cites its source (a URL in its explanation).
    """
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(Where(str(path), None), "no such file or folder"))
        elif path.is_dir() and not deck_files([path]):
            problems.append(Problem(Where(str(path), None), "no deck files (*.yaml) in this folder"))
    files = deck_files(p for p in paths if p.exists())
    decks, found = parse_decks(files)
    problems.extend(found)
    cards = [c for d in decks for c in d.cards]
    for card in cards:
        problems.extend(check_card(card, drills_dir))
    problems.sort(key=lambda p: (p.where.path, p.where.line or 0))
    return LintReport(len(files), len(decks), len(cards), tuple(problems))


def check_card(card: Card, drills_dir: Path | None = None) -> list[Problem]:
    """The checks that need more than the card's text: run it, look it up, follow its drill link."""
    problems = verify_card(card, sandbox_client)
    if not _CITED.search(f"{card.explanation}\n{card.back or ''}"):
        problems.append(
            Problem(card.line_of("explanation"), "cite a source: end the explanation with 'Source: <URL>'")
        )
    if card.kind == "predict" and card.predict == "complexity":
        problems.extend(complexity_problems(card))
    if card.drill and drills_dir is not None and not (drills_dir / card.drill / "drill.yaml").is_file():
        problems.append(
            Problem(card.line_of("drill"), f"no drill named {card.drill!r} (see 'redisprep drill list')")
        )
    return problems


def complexity_problems(card: Card) -> list[Problem]:
    """A complexity card's answer must be the command's COMMAND DOCS complexity, word for word."""

    doc = command_doc(card.command or "")
    if doc is None:
        return [
            Problem(card.line_of("command"), f"unknown command {card.command!r} (not in {table_source()})")
        ]
    if doc.complexity != card.answer:
        return [
            Problem(
                card.line_of("answer"),
                f"answer differs from {table_source()}, which says {doc.complexity!r}",
            )
        ]
    return []
