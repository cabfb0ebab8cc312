"""Load flashcard decks from YAML and validate them, naming ``file:line`` for every problem."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from redisprep._yaml import brief
from redisprep.errors import DataFormatError
from redisprep.quiz._fields import NAME, Fields, open_mapping
from redisprep.quiz.model import (
    CARD_KINDS,
    ENCODINGS,
    OTHER_ENCODINGS,
    PREDICT_KINDS,
    Card,
    CardKind,
    Deck,
    Expect,
    PredictKind,
    Problem,
    Where,
)
from redisprep.quiz.scheduler import scheduler_id
from redisprep.quiz.versions import release_problem
from redisprep.release import EMBEDDED

if TYPE_CHECKING:
    from redisprep.quiz.deck_cache import DeckCache

FORMAT_VERSION = 1
#: ``os.pathsep``-separated folders of the user's own decks, added to the shipped ones.
DECKS_ENV = "REDISPREP_DECKS"
_DECK_KEYS = ("format_version", "deck", "title", "cards")
_COMMON = ("id", "kind", "tags", "front", "explanation", "drill")
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "basic": ("back",),
    "choice": ("choices", "answer"),
    "typed": ("answer", "accept"),
    "command": ("setup", "answer", "expect", "since"),
}
_PREDICT_KEYS: dict[str, tuple[str, ...]] = {
    "reply": ("predict", "setup", "command", "answer", "answers", "since"),
    "encoding": ("predict", "setup", "key", "answer", "answers", "since"),
    "complexity": ("predict", "command", "answer", "choices"),
}


def deck_files(paths: Iterable[Path]) -> list[Path]:
    """The deck files under ``paths``: each a ``.yaml``/``.yml`` file, or a folder of them (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def extra_deck_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The user's deck folders from ``$REDISPREP_DECKS``."""
    raw = (os.environ if environ is None else environ).get(DECKS_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


def parse_file(path: Path) -> tuple[Deck | None, list[Problem]]:
    """:func:`parse_deck` on one file: its deck (None when unusable) and its problems."""
    problems: list[Problem] = []
    return parse_deck(path, problems), problems


def parse_decks(files: Sequence[Path], cache: DeckCache | None = None) -> tuple[list[Deck], list[Problem]]:
    """Parse every file; return the decks that loaded and every problem, including duplicate ids.

    A card with a problem is left out of its deck; a deck whose header is broken is left out whole.

    Args:
        files: The deck files.
        cache: Reuse what an unchanged file parsed into last time (the checks across files, such
            as duplicate ids, run every time).
    """
    decks: list[Deck] = []
    problems: list[Problem] = []
    for path in files:
        deck, found = cache.parse(path, parse_file) if cache is not None else parse_file(path)
        problems.extend(found)
        if deck is not None:
            decks.append(deck)
    seen: dict[str, Where] = {}
    hashed: dict[int, str] = {}
    deck_ids: dict[str, str] = {}
    for deck in decks:
        if deck.id in deck_ids:
            problems.append(
                Problem(Where(deck.path, 1), f"duplicate deck {deck.id!r} (also {deck_ids[deck.id]})")
            )
        deck_ids.setdefault(deck.id, deck.path)
        for card in deck.cards:
            if card.id in seen:
                problems.append(
                    Problem(card.where, f"duplicate card id {card.id!r} (first at {seen[card.id]})")
                )
                continue
            seen[card.id] = card.where
            other = hashed.setdefault(scheduler_id(card.id), card.id)
            if other != card.id:  # never seen in practice (63-bit hash); progress would be shared
                problems.append(Problem(card.where, f"card id {card.id!r} hashes like {other!r}: rename one"))
    return decks, problems


def load_decks(paths: Iterable[Path], cache: DeckCache | None = None) -> tuple[Deck, ...]:
    """Load the decks under ``paths`` for a session.

    Args:
        paths: Deck files, or folders of them.
        cache: Parsed decks kept from earlier runs (:mod:`redisprep.quiz.deck_cache`): files whose
            size and modification time are unchanged are not parsed again; saved before returning.

    Raises:
        DataFormatError: The first problem, as ``file:line: problem`` (and how many more there are).
    """
    files = deck_files(paths)
    decks, problems = parse_decks(files, cache)
    if cache is not None:
        cache.save()
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; see 'redisprep quiz lint')" if len(problems) > 1 else ""
        raise DataFormatError(first.where.path, first.where.line, first.problem + more)
    return tuple(decks)


def parse_deck(path: Path, problems: list[Problem]) -> Deck | None:
    """Parse one deck file, appending its problems; None when the file cannot be used at all."""
    where = str(path)
    head = open_mapping(path, problems, "a deck must be a mapping with format_version, deck, title, cards")
    if head is None:
        return None
    doc = head.node
    head.only(_DECK_KEYS, "a deck")
    version = doc.get("format_version")
    if head.require("format_version") and version != FORMAT_VERSION:
        head.problem("format_version", f"format_version must be {FORMAT_VERSION}, not {brief(version)}")
    deck_id = head.name("deck")
    if deck_id is not None and deck_id != path.stem:
        head.problem("deck", f"deck is {brief(deck_id)} but the file is {path.name!r}: they must match")
    title = head.text("title")
    raw_cards = doc.get("cards")
    if not head.require("cards"):
        return None
    if not isinstance(raw_cards, list) or not raw_cards:
        head.problem("cards", "'cards' must be a non-empty list")
        return None
    if head.failed or deck_id is None or title is None:
        return None
    cards_line = head.where("cards").line
    parsed = (parse_card(item, deck_id, where, problems, cards_line) for item in raw_cards)
    cards = [c for c in parsed if c is not None]
    return Deck(id=deck_id, title=title, path=where, cards=tuple(cards))


def parse_card(
    node: Any, deck: str, path: str, problems: list[Problem], fallback_line: int | None = None
) -> Card | None:
    """Validate one card mapping; None (with problems recorded) when it is unusable.

    Args:
        node: The loaded mapping.
        deck: The deck id.
        path: The deck file, for problems.
        problems: Where to append problems.
        fallback_line: The line to blame when ``node`` is not a mapping (the ``cards:`` line).
    """
    if not isinstance(node, dict):
        problems.append(Problem(Where(path, fallback_line), f"a card must be a mapping, not {brief(node)}"))
        return None
    f = Fields(node, path, problems)
    card_id = f.name("id")
    kind = node.get("kind")
    if f.require("kind") and kind not in CARD_KINDS:
        f.problem("kind", f"unknown kind {brief(kind)}; expected one of {', '.join(CARD_KINDS)}")
        return None
    if kind is None:
        return None
    base: dict[str, Any] = {
        "id": card_id,
        "kind": cast(CardKind, kind),
        "deck": deck,
        "tags": f.texts("tags", low=1),
        "front": f.text("front"),
        "explanation": f.text("explanation"),
        "drill": f.name("drill", required=False),
        "where": f.where(),
        "field_lines": f.lines(),
    }
    for tag_problem in (t for t in base["tags"] if not NAME.match(t)):
        f.problem("tags", f"tag {brief(tag_problem)} must be lower-case letters, digits and dashes")
    if kind == "predict":
        extra = _predict_fields(f)
    else:
        f.only(_COMMON + _KIND_KEYS[kind], f"a {kind} card")
        extra = _KIND_PARSERS[kind](f)
    if f.failed or extra is None:
        return None
    return Card(**base, **extra)


def _basic(f: Fields) -> dict[str, Any]:
    return {"back": f.text("back")}


def _choice(f: Fields) -> dict[str, Any]:
    choices = f.texts("choices", low=2, high=6)
    answer = f.text("answer", scalar_ok=True)
    _answer_among(f, choices, answer)
    return {"choices": choices, "answer": answer}


def _answer_among(f: Fields, choices: tuple[str, ...], answer: str | None) -> None:
    if len(set(choices)) != len(choices):
        f.problem("choices", "'choices' has the same text twice")
    elif choices and answer is not None and answer not in choices:
        f.problem("answer", f"answer {brief(answer)} is not one of the choices")


def _typed(f: Fields) -> dict[str, Any]:
    answer = f.text("answer", scalar_ok=True)
    return {"answer": answer, "accept": f.texts("accept", required=False)}


def _command(f: Fields) -> dict[str, Any] | None:
    setup = _setup(f)
    answer = f.command("answer")
    expect = _expect(f)
    return {"setup": setup, "answer": answer, "expect": expect, "since": _since(f)}


def _setup(f: Fields) -> tuple[str, ...]:
    setup = f.texts("setup", required=False)
    for line in setup:
        f.command("setup", line)
    return setup


def _expect(f: Fields) -> Expect | None:
    if not f.require("expect"):
        return None
    raw = f.node["expect"]
    if not isinstance(raw, dict) or not raw or not set(raw) <= {"reply", "state"}:
        f.problem("expect", "'expect' must be a mapping with 'reply' and/or 'state'")
        return None
    has_reply = "reply" in raw
    ok, reply = f.reply("expect", raw.get("reply")) if has_reply else (True, None)
    state: list[tuple[str, Any]] = []
    for pair in raw.get("state") or ():
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            f.problem("expect", f"each 'state' item must be [command, reply], not {brief(pair)}")
            return None
        good, value = f.reply("expect", pair[1])
        if f.command("expect", pair[0]) is None or not good:
            return None
        state.append((pair[0], value))
    if "state" in raw and not state:
        f.problem("expect", "'state' must be a non-empty list of [command, reply]")
        return None
    return Expect(state=tuple(state), has_reply=has_reply, reply=reply) if ok else None


def _predict_fields(f: Fields) -> dict[str, Any] | None:
    predict = f.node.get("predict")
    if f.require("predict") and predict not in PREDICT_KINDS:
        f.problem("predict", f"predict must be one of {', '.join(PREDICT_KINDS)}, not {brief(predict)}")
        return None
    if predict is None:
        return None
    f.only(_COMMON + _PREDICT_KEYS[predict], f"a predict {predict} card")
    out: dict[str, Any] = {"predict": cast(PredictKind, predict)}
    if predict == "complexity":
        out["command"] = f.text("command")
        out["choices"] = f.texts("choices", low=2, high=6)
        out["answer"] = f.text("answer")
        _answer_among(f, out["choices"], out["answer"])
        return out
    out["setup"] = _setup(f)
    out["since"] = _since(f)
    if predict == "reply":
        out["command"] = f.command("command")
        if f.require("answer"):
            out["answer"] = f.reply("answer", f.node["answer"])[1]
        out["answers"] = _answers(f, lambda value: f.reply("answers", value))
        return out
    out["key"] = f.text("key")
    answer = f.text("answer")
    if answer is not None and answer not in ENCODINGS:
        f.problem(
            "answer", f"answer must be a Redis 7.0 encoding ({', '.join(ENCODINGS)}), not {brief(answer)}"
        )
    out["answer"] = answer
    out["answers"] = _answers(f, lambda value: _encoding(f, value))
    return out


def _encoding(f: Fields, value: Any) -> tuple[bool, Any]:
    if value in ENCODINGS or value in OTHER_ENCODINGS:
        return True, value
    names = ", ".join((*ENCODINGS, *OTHER_ENCODINGS))
    f.problem("answers", f"an encoding in 'answers' must be one of {names}, not {brief(value)}")
    return False, None


def _since(f: Fields) -> str | None:
    """The oldest release a card holds on; it must hold on the embedded server (Redis 7.0)."""

    if "since" not in f.node:
        return None
    since = f.text("since")
    problem = release_problem(since, latest=EMBEDDED) if since is not None else None
    if problem:
        f.problem("since", f"'since': {problem}")
    return since


def _answers(f: Fields, read: Any) -> tuple[tuple[str, Any], ...]:
    """``answers``: release -> the answer from that release on (Redis 7.0's is ``answer``)."""

    raw = f.node.get("answers")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        f.problem("answers", "'answers' must be a mapping of release (redis-6.2, valkey-8.0) to answer")
        return ()
    out = []
    for name, value in raw.items():
        problem = release_problem(name)
        if problem or str(name).strip().lower() == "redis-7.0":
            f.problem("answers", f"'answers': {problem or 'redis-7.0 is the answer field itself'}")
            continue
        ok, reply = read(value)
        if ok:
            out.append((str(name).strip().lower(), reply))
    return tuple(out)


_KIND_PARSERS = {"basic": _basic, "choice": _choice, "typed": _typed, "command": _command}
