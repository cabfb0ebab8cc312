"""Judge an event-sourced ledger: the durable log replays to the truth and equals the projection."""

from __future__ import annotations

import random

from redisprep.interview.judges._common import Judge, Outcomes, as_int, errors_in
from redisprep.interview.runner import Bench
from redisprep.quiz.model import Reply

ACCOUNTS, EVENTS = 5, 120


def amounts(reply: Reply) -> list[int] | None:
    """The amounts of the events a replay returned: stream entries with an ``amount`` field, or
    plain integers (a list of amounts); None when the reply is neither."""
    if not isinstance(reply, tuple):
        return None
    out = []
    for entry in reply:
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], tuple):
            fields = entry[1]
            named = dict(zip(fields[::2], fields[1::2], strict=False))
            value = as_int(named.get("amount"))
        else:
            value = as_int(entry)
        if value is None:
            return None
        out.append(value)
    return out


def run(bench: Bench) -> Outcomes:
    rng = random.Random(19)
    truth: dict[str, list[int]] = {f"acct{i}": [] for i in range(ACCOUNTS)}
    replies = []
    for n in range(EVENTS):
        account, amount = f"acct{rng.randrange(ACCOUNTS)}", rng.randint(-50, 100)
        truth[account].append(amount)
        replies.append(bench.call("append", {"account": account, "amount": str(amount), "tx": f"tx{n}"}))
    bad_replay, bad_projection = [], []
    for account, events in truth.items():
        replayed = amounts(bench.call("replay", {"account": account}))
        if replayed is None or sorted(replayed) != sorted(events):
            got = "nothing readable" if replayed is None else f"{len(replayed)} events"
            bad_replay.append(f"{account}: replay gave {got}, {len(events)} were appended")
        balance = as_int(bench.call("balance", {"account": account}))
        if balance != sum(events) or (replayed is not None and sum(replayed) != balance):
            replay_sum = "nothing" if replayed is None else str(sum(replayed))
            bad_projection.append(
                f"{account}: balance {balance}; appended events sum to {sum(events)}, replayed {replay_sum}"
            )
    replay = (
        not bad_replay,
        f"every account's {EVENTS} events replay from the log"
        if not bad_replay
        else "; ".join(bad_replay[:2]) + errors_in(replies),
    )
    projection = (
        not bad_projection,
        "each balance equals the sum of its replayed events"
        if not bad_projection
        else "; ".join(bad_projection[:2]),
    )
    return {"replay": replay, "projection": projection}


JUDGE = Judge(
    "ledger",
    {"append": ("account", "amount", "tx"), "replay": ("account",), "balance": ("account",)},
    {
        "append": "any (records one event)",
        "replay": "the account's events: stream entries with an amount field, or a list of amounts",
        "balance": "the account's balance as an integer",
    },
    {"replay": "the log replays every event (durable)", "projection": "the projection equals the replay"},
    run,
)
