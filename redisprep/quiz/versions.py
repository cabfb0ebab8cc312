"""Which server a card speaks about: its ``since`` release, and its answers where releases differ.

A card's ``answer`` is what Redis 7.0 gives (the embedded server imitates 7.0, and command cards are
judged there). ``answers`` lists the releases where that changes, each from that release until the
next one listed: ``{redis-6.0: ziplist}`` on a sorted-set encoding card, ``{valkey-8.0: raw}`` where
Valkey keeps a string's key in its allocation. ``since`` is the oldest release the card holds on
(``redis-7.0`` for SINTERCARD). The quiz shows the answer for the server it was pointed at
(``--url``), and the content tests check each card on every server of the matrix, including that a
``since`` bound is really needed.
"""

from __future__ import annotations

from redisprep.quiz.model import Card, Reply
from redisprep.release import EMBEDDED, Release


def applies(card: Card, release: Release) -> bool:
    """Whether ``release`` has what the card is about (it is at or after the card's ``since``)."""
    return card.since is None or release.at_least(Release.parse(card.since))


def answer_for(card: Card, release: Release = EMBEDDED) -> Reply:
    """The card's answer on ``release``: the latest ``answers`` entry it has, else ``answer``."""
    if not card.answers:
        return card.answer
    table: dict[Release, Reply] = {EMBEDDED: card.answer}
    table.update((Release.parse(name), reply) for name, reply in card.answers)
    picked = release.pick(table)
    return card.answer if picked is None else picked


def release_problem(name: object, *, latest: Release | None = None) -> str | None:
    """Why ``name`` cannot be a card's release (``since`` or an ``answers`` key), or None.

    Args:
        latest: The newest release allowed (``since`` must hold on the embedded server).
    """
    try:
        release = Release.parse(str(name))
    except ValueError as exc:
        return str(exc)
    if latest is not None and not latest.at_least(release):
        return f"{name} is newer than {latest.line}, which the embedded server imitates"
    return None
