"""Judge a learner's answer for each card kind, and check that a card's own answer is right."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redisprep.errors import DataFormatError
from redisprep.quiz.model import Card, ErrorReply, Problem, Reply
from redisprep.quiz.replies import as_yaml, matches, prediction_matches, redis_cli
from redisprep.quiz.sandbox import ANSWER_TIMEOUT_S, attempt, run, run_setup, sandbox_client

_EDGE_PUNCTUATION = " \t\n.,;:!?\"'`()"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The program's judgement of one answer."""

    correct: bool
    given: str
    """What the learner answered, as entered."""
    expected: str
    """The right answer, to show."""
    reply: str | None = None
    """command cards: what the learner's command replied, as redis-cli prints it."""
    reasons: tuple[str, ...] = ()
    """What did not hold, in words (command cards)."""


def normalise(text: str) -> str:
    """Compare typed answers case-blind, with runs of whitespace and surrounding punctuation ignored."""
    return " ".join(text.strip(_EDGE_PUNCTUATION).casefold().split())


def judge_typed(card: Card, text: str) -> Verdict:
    """typed, predict reply and predict encoding cards: what the learner typed."""
    if card.kind == "predict" and card.predict == "reply":
        ok = prediction_matches(text, card.answer)
        return Verdict(ok, text, redis_cli(card.answer))
    accepted = [str(card.answer), *card.accept]
    ok = normalise(text) in {normalise(a) for a in accepted}
    return Verdict(ok, text, str(card.answer))


def judge_choice(card: Card, chosen: str) -> Verdict:
    """choice and predict complexity cards: the text of the chosen option."""
    return Verdict(chosen == card.answer, chosen, str(card.answer))


def judge_command(card: Card, line: str, client_factory: Callable[[], Any] = sandbox_client) -> Verdict:
    """command cards: run the learner's command after the setup on a fresh server, check ``expect``.

    Raises:
        DataFormatError: A setup command failed: the deck is wrong, not the learner (``file:line``).
    """
    assert card.expect is not None
    outcome = attempt(client_factory(), card.setup, line, card.expect, ANSWER_TIMEOUT_S)
    if outcome.setup_error:
        where = card.line_of("setup")
        raise DataFormatError(where.path, where.line, outcome.setup_error)
    return Verdict(outcome.held, line, str(card.answer), redis_cli(outcome.reply), outcome.failures)


def verify_card(card: Card, client_factory: Callable[[], Any], *, live: bool = False) -> list[Problem]:
    """Check that a card's own answer is right by running it (command and predict cards).

    Args:
        card: The card.
        client_factory: Returns a raw-reply client on an empty database (one per call).
        live: The client is a real Redis, so ``OBJECT ENCODING`` can be read (predict encoding).

    Returns:
        Problems at the line of the field that is wrong; empty when the card holds.
    """
    if card.kind == "command" and card.expect is not None and isinstance(card.answer, str):
        outcome = attempt(client_factory(), card.setup, card.answer, card.expect)
        if outcome.setup_error:
            return [Problem(card.line_of("setup"), outcome.setup_error)]
        return [
            Problem(card.line_of("answer"), f"the answer {card.answer!r} does not hold: {reason}")
            for reason in outcome.failures
        ]
    if card.kind != "predict" or card.predict == "complexity":
        return []
    client = client_factory()
    problem = run_setup(client, card.setup)
    if problem:
        return [Problem(card.line_of("setup"), problem)]
    if card.predict == "reply":
        assert card.command is not None
        reply = run(client, card.command)
        if not matches(card.answer, reply):
            return [Problem(card.line_of("answer"), _reply_differs(card.answer, reply))]
        return []
    if run(client, f"EXISTS {_quote(card.key or '')}") != 1:
        return [Problem(card.line_of("key"), f"the setup does not create key {card.key!r}")]
    if live:
        encoding = run(client, f"OBJECT ENCODING {_quote(card.key or '')}")
        if encoding != card.answer:
            return [Problem(card.line_of("answer"), f"answer is {card.answer!r} but Redis says {encoding!r}")]
    return []


def _reply_differs(expected: Reply, actual: Reply) -> str:
    shown = as_yaml(actual)
    if isinstance(actual, ErrorReply):
        shown = f"{{error: {actual.text!r}}}"
    return f"answer is {as_yaml(expected)} but the server replies {shown}"


def _quote(text: str) -> str:
    return (
        text
        if re.fullmatch(r"[^\s'\"\\]+", text)
        else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )
