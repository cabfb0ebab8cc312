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
from redisprep.quiz.versions import answer_for, applies
from redisprep.release import EMBEDDED, Release

_EDGE_PUNCTUATION = " \t\n.,;:!?\"'`()"


@dataclass(frozen=True, slots=True)
class Judgement:
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


def judge_typed(card: Card, text: str, release: Release = EMBEDDED) -> Judgement:
    """typed, predict reply and predict encoding cards: what the learner typed.

    Args:
        release: The server the learner prepares for: a predict card's answer can depend on it.
    """
    answer = answer_for(card, release)
    if card.kind == "predict" and card.predict == "reply":
        ok = prediction_matches(text, answer)
        return Judgement(ok, text, redis_cli(answer))
    accepted = [str(answer), *card.accept]
    ok = normalise(text) in {normalise(a) for a in accepted}
    return Judgement(ok, text, str(answer))


def judge_choice(card: Card, chosen: str) -> Judgement:
    """choice and predict complexity cards: the text of the chosen option."""
    return Judgement(chosen == card.answer, chosen, str(card.answer))


def judge_command(card: Card, line: str, client_factory: Callable[[], Any] = sandbox_client) -> Judgement:
    """command cards: run the learner's command after the setup on a fresh server, check ``expect``.

    Raises:
        DataFormatError: A setup command failed: the deck is wrong, not the learner (``file:line``).
    """
    assert card.expect is not None
    outcome = attempt(client_factory(), card.setup, line, card.expect, ANSWER_TIMEOUT_S)
    if outcome.setup_error:
        where = card.line_of("setup")
        raise DataFormatError(where.path, where.line, outcome.setup_error)
    return Judgement(outcome.held, line, str(card.answer), redis_cli(outcome.reply), outcome.failures)


def verify_card(
    card: Card, client_factory: Callable[[], Any], *, live: bool = False, release: Release | None = None
) -> list[Problem]:
    """Check that a card's own answer is right by running it (command and predict cards).

    Args:
        card: The card.
        client_factory: Returns a raw-reply client on an empty database (one per call).
        live: The client is a real Redis, so ``OBJECT ENCODING`` can be read (predict encoding).
        release: The server's release (None: the embedded server, Redis 7.0). The answer expected is
            the card's answer for it; on a release older than the card's ``since`` the answer must
            *not* hold, or the bound claims a difference that is not there.

    Returns:
        Problems at the line of the field that is wrong; empty when the card holds.
    """
    server = release or EMBEDDED
    if release is not None and not applies(card, release):
        problems = _verify(card, client_factory, live, server)
        if problems or (card.kind == "predict" and card.predict == "encoding" and not live):
            return []
        return [Problem(card.line_of("since"), f"'since: {card.since}', yet the answer holds on {server}")]
    return _verify(card, client_factory, live, server)


def _verify(card: Card, client_factory: Callable[[], Any], live: bool, release: Release) -> list[Problem]:
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
    answer = answer_for(card, release)
    where = card.line_of("answers" if answer is not card.answer else "answer")
    if card.predict == "reply":
        assert card.command is not None
        reply = run(client, card.command)
        if not matches(answer, reply):
            on = "" if release == EMBEDDED else f" ({release})"
            return [Problem(where, _reply_differs(answer, reply) + on)]
        return []
    if run(client, f"EXISTS {_quote(card.key or '')}") != 1:
        return [Problem(card.line_of("key"), f"the setup does not create key {card.key!r}")]
    if live:
        encoding = run(client, f"OBJECT ENCODING {_quote(card.key or '')}")
        if encoding != answer:
            return [Problem(where, f"answer is {answer!r} but {release} says {encoding!r}")]
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
