"""The narrated steps of the rate-limit drill."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import DataTable, Step, StepOutcome
from redisprep.drills.rate_limit import checks
from redisprep.drills.rate_limit import reference as rl
from redisprep.drills.rate_limit.checks import EPOCH_MS, LIMIT, WINDOW_MS
from redisprep.knowledge.commands import command_doc

#: A "sliding" limiter that is really a fixed window (what the boundary check must catch).
FIXED_AS_SLIDING = variant(rl, sliding_counter=rl.fixed_window)
#: Read, decide in the application, then write: the check-then-act race.
READ_THEN_WRITE = variant(rl, fixed_window=rl.naive_fixed_window, sliding_log=rl.naive_sliding_log)

TITLES = {
    "fixed_window": "fixed window",
    "sliding_log": "sliding log",
    "sliding_counter": "sliding window counter",
    "token_bucket": "token bucket",
    "gcra": "GCRA",
}
SHORT = {
    "fixed_window": "fw",
    "sliding_log": "sl",
    "sliding_counter": "swc",
    "token_bucket": "tb",
    "gcra": "gcra",
}
INSIDE = {
    "fixed_window": ("INCR", "PEXPIRE"),
    "sliding_log": ("ZREMRANGEBYSCORE", "ZCARD", "ZCOUNT", "ZADD", "PEXPIRE"),
    "sliding_counter": ("GET", "INCR", "PEXPIRE"),
    "token_bucket": ("HMGET", "HSET", "PEXPIRE"),
    "gcra": ("GET", "SET"),
}
STATE = {
    "fixed_window": ("one counter per window", "O(1)"),
    "sliding_log": ("sorted set of admitted timestamps", "O(limit)"),
    "sliding_counter": ("counters of this and the previous window", "O(1)"),
    "token_bucket": ("hash: tokens left, last refill", "O(1)"),
    "gcra": ("one number: theoretical arrival time", "O(1)"),
}


def big_o(command: str) -> str:
    """The leading O(...) of a command's documented complexity (``ZADD`` -> ``O(log(N))``)."""
    doc = command_doc(command)
    text = (doc.complexity or "?") if doc is not None else "?"
    return text.split()[0].rstrip(".,")


def labelled(ctx: DrillContext, name: str) -> Callable[[Any, str, int, int, int], bool]:
    """The reference limiter ``name``, each call labelled as one operation for the cost table."""
    fn = getattr(rl, name)

    def call(r: Any, key: str, limit: int, window_ms: int, now_ms: int) -> bool:
        with ctx.tracer.operation(f"{TITLES[name]}: admit or deny"):
            return bool(fn(r, key, limit, window_ms, now_ms))

    return call


def five_limiters(ctx: DrillContext) -> StepOutcome:
    rows = tuple(
        (
            TITLES[name],
            STATE[name][0],
            STATE[name][1],
            "script: " + ", ".join(f"{c} {big_o(c)}" for c in INSIDE[name]),
        )
        for name in rl.ALGORITHMS
    )
    return StepOutcome(
        narration=(
            f"Five limiters with one signature: `limiter(r, key, limit, window_ms, now_ms) -> "
            f"admitted?`. Here the limit is {LIMIT} requests per {WINDOW_MS // 1000} s. Time is "
            "an argument (an injected clock starting at a window boundary), so every number below is "
            "the same on every run; in production the script reads `TIME` instead.",
            "Each decision is one round trip and atomic: one Lua script each, so no other client's "
            "command can run between the read and the write. The fixed window's script sets the "
            "expiry only when `INCR` returned 1, the window's first hit, so steady traffic cannot keep "
            "pushing it back; on Redis 7.0+ `MULTI INCR; PEXPIRE ... NX; EXEC` does the same.",
            "The token bucket keeps its level in whole units of 1/window of a token, so Lua's "
            "doubles stay exact integers and both backends agree to the unit. GCRA stores only the "
            "time at which the bucket would be full again; a denial writes nothing.",
        ),
        figures=(DataTable("state per client", ("limiter", "state", "memory", "one decision"), rows),),
        checks=(checks.within_limit.run(ctx, rl),),
    )


def window_boundary(ctx: DrillContext) -> StepOutcome:
    rows = []
    for name in rl.ALGORITHMS:
        before, after = checks.boundary_burst(ctx, labelled(ctx, name), f"table-{name}")
        rows.append((TITLES[name], before, after, before + after))
    naive = (
        checks.boundary.run(ctx, FIXED_AS_SLIDING)
        .expecting_failure()
        .labelled("a fixed window plugged in as the sliding_counter")
    )
    return StepOutcome(
        narration=(
            f"A client sends 10 requests between 59.00 s and 59.81 s, then 10 more between 60.00 s "
            f"and 60.81 s: 20 requests in 1.81 s against a limit of {LIMIT} per "
            f"{WINDOW_MS // 1000} s.",
            f"The fixed window sees two windows with 10 each and admits all {rows[0][3]}: twice "
            "the limit inside two seconds, the classic boundary burst. The sliding log counts "
            "the last 60 s exactly; the sliding window counter weights the previous window by how "
            "much of it still overlaps (100% at 60.00 s); the token bucket and GCRA have spent their "
            "burst and refill one token every 6 s.",
            "The boundary check runs against a limiter whose `sliding_counter` is really a fixed "
            "window (failing is the point), then against the reference.",
        ),
        figures=(
            DataTable(
                "admitted around the 60 s boundary",
                ("limiter", "59.00-59.81 s", "60.00-60.81 s", "in 1.81 s"),
                tuple(rows),
            ),
        ),
        checks=(naive, checks.boundary.run(ctx, rl)),
    )


def race(ctx: DrillContext) -> StepOutcome:
    key = checks.limiter_key(ctx, "race-demo")
    for i in range(3):
        with ctx.tracer.operation("naive: GET, then INCR"):
            rl.naive_fixed_window(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + i)
    naive = checks.concurrent.run(ctx, READ_THEN_WRITE).expecting_failure().labelled("read, then write")
    atomic = checks.concurrent.run(ctx, rl)
    sent = checks.CLIENTS * checks.REQUESTS_PER_CLIENT
    rows: list[tuple[str, int, int, int]] = []
    for name in rl.ALGORITHMS:
        n = int(atomic.measured.get(name) or 0)
        rows.append((TITLES[name], sent, n, n - LIMIT))
    for name, title in (("fixed_window", "naive GET, then INCR"), ("sliding_log", "naive ZCARD, then ZADD")):
        n = int(naive.measured.get(name) or 0)
        rows.append((title, sent, n, n - LIMIT))
    return StepOutcome(
        narration=(
            f"{checks.CLIENTS} clients each send {checks.REQUESTS_PER_CLIENT} requests at the same "
            "moment. The drill runs them in lockstep: every client sends its next command only after "
            "all have sent their previous one, the worst interleaving a busy server can produce.",
            "Reading the count (`GET`, or `ZCARD`), comparing in the application and then writing "
            f"(`INCR`, `ZADD`) lets every client read the same count before anyone writes: all "
            f"{rows[-2][2]} get in, {rows[-2][3]} over the limit. The atomic versions decide inside the "
            f"server, one script or transaction at a time, and admit exactly {LIMIT}.",
        ),
        figures=(
            DataTable(
                "concurrent clients", ("limiter", "requests", "admitted", "over the limit"), tuple(rows)
            ),
        ),
        checks=(naive, atomic),
    )


def keys_and_slots(ctx: DrillContext) -> StepOutcome:
    from redis.crc import key_slot

    rows = []
    for name in rl.ALGORITHMS:
        key = ctx.key("rl", "{user42}", SHORT[name])
        fn = labelled(ctx, name)
        for offset in (59_500, 60_500):
            fn(ctx.r, key, LIMIT, WINDOW_MS, EPOCH_MS + offset)
        for k in sorted(ctx.r.scan_iter(match=key + "*", count=1000)):
            rows.append((k[len(ctx.ns.prefix) :], ctx.r.type(k), int(ctx.r.pttl(k)), key_slot(k.encode())))
    window = (EPOCH_MS + 60_500) // WINDOW_MS
    plain = [f"rl:user42:{window}", f"rl:user42:{window - 1}"]
    tagged = [f"rl:{{user42}}:{window}", f"rl:{{user42}}:{window - 1}"]
    return StepOutcome(
        narration=(
            "The sliding window counter reads two keys in one script, this window's and the "
            "previous one's. In a cluster a script may only touch keys of one slot, so the limiter "
            "key carries a hash tag (`{...}`) and every key is built from it. Without the tag, "
            f"`{plain[0]}` and `{plain[1]}` land in slots {key_slot(plain[0].encode())} and "
            f"{key_slot(plain[1].encode())} (a CROSSSLOT error); with it, `{tagged[0]}` and "
            f"`{tagged[1]}` both hash `user42` to slot {key_slot(tagged[0].encode())}.",
            "Every key has an expiry no longer than two windows, set in the same atomic step as the "
            "write: a counter whose `EXPIRE` got lost (a crash between `INCR` and `EXPIRE`) would "
            "never reset and lock the client out for good.",
        ),
        figures=(
            DataTable(
                "keys after requests at 59.5 s and 60.5 s", ("key", "type", "PTTL ms", "slot"), tuple(rows)
            ),
        ),
        checks=(checks.keys.run(ctx, rl),),
    )


def round_trips(ctx: DrillContext) -> StepOutcome:
    naive = checks.one_round_trip.run(ctx, READ_THEN_WRITE).expecting_failure().labelled("read, then write")
    return StepOutcome(
        narration=(
            "A limiter sits in front of every request, so its own latency is added to all of them. "
            "One round trip per decision: the whole read-decide-write is one Lua script (a MULTI "
            "transaction cannot branch on a value it reads; it fits only a counter that INCRs first "
            "and decides on the reply). The naive variants need two, and are racy as well.",
        ),
        checks=(naive, checks.one_round_trip.run(ctx, rl)),
    )


STEPS = (
    Step("Five limiters, one interface", five_limiters),
    Step("Around a window boundary", window_boundary),
    Step("Read, then increment: the race", race),
    Step("Keys: one slot, always expiring", keys_and_slots),
    Step("One round trip per decision", round_trips),
)
