"""The narrated steps of the redirection drill."""

from __future__ import annotations

import inspect
from typing import Any

import redis
from redis import cluster
from redis.exceptions import AskError, MovedError, ResponseError

from redisprep.drills._cluster import ClusterView, open_view
from redisprep.drills.check_helpers import variant
from redisprep.drills.context import DrillContext
from redisprep.drills.model import CheckResult, DataTable, Step, StepOutcome
from redisprep.drills.redirection import checks
from redisprep.drills.redirection import reference as cr
from redisprep.drills.redirection.reshard import Resharder
from redisprep.knowledge.slots import hashed_part, key_slot

NAIVE_KEYS = variant(cr, keys_for=cr.naive_keys_for)
NAIVE_ASK = variant(cr, follow_redirect=cr.naive_ask_like_moved)
NAIVE_MOVED = variant(cr, follow_redirect=cr.naive_moved_without_update)
_COLUMNS = ("node", "command", "reply")
EXAMPLES = ("123456789", "user:1000", "{user:1000}:following", "{user:1000}:followers", "foo{}{bar}")


def _where(view: ClusterView) -> str:
    if view.simulated:
        return f"Simulated: this part runs on a {view.label}, because {view.reason}."
    return f"This runs on the real cluster at {view.label}."


def _short(ctx: DrillContext, key: str) -> str:
    """``key`` without the run's prefix (tables say so in their title)."""
    return key.removeprefix(ctx.ns.prefix)


def _reply(client: Any, *args: Any) -> str:
    """The reply as redis-cli would show it, errors included."""
    try:
        return repr(client.execute_command(*args))
    except AskError as exc:  # MovedError is a subclass of AskError
        kind = "MOVED" if isinstance(exc, MovedError) else "ASK"
        return f"-{kind} {exc.slot_id} {exc.host}:{exc.port}"
    except ResponseError as exc:
        return f"-ERR {exc}"


def _client_owner(client: Any, slot: int) -> str:
    """Where a routed client would send ``slot`` now (redis-py's map, or the routing client's)."""
    if hasattr(client, "slot_map"):
        return str(client.slot_map[slot])
    return str(client.nodes_manager.get_node_from_slot(slot).name)


def _same_slot(results: tuple[CheckResult, ...], slot: int) -> str:
    """A sentence saying which slot the checks below used: the step's own, when all went well."""
    theirs = sorted({str(r.measured["slot"]) for r in results if r.measured.get("slot") is not None})
    if theirs == [str(slot)]:
        return f"The checks below repeat this on the same slot {slot}, with redisprep's routing client."
    return f"The checks below ran on slot {', '.join(theirs)}, not {slot}."


def slots(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    rows = tuple((k, hashed_part(k).decode(), key_slot(k), view.owner[key_slot(k)]) for k in EXAMPLES)
    return StepOutcome(
        narration=(
            _where(view),
            "A cluster splits the key space into 16384 slots; slot = CRC16(key) mod 16384, and each "
            "primary serves ranges of slots. If the key has a hash tag (text between the first `{` "
            "and the next `}`, not empty) only the tag is hashed, so `{user:1000}:following` and "
            "`{user:1000}:followers` share a slot. `foo{}{bar}` has an empty first tag and hashes "
            "whole.",
            "Why 16384: nodes gossip their slot bitmap in every heartbeat; 16384 bits is 2 KB, "
            "65536 would be 8 KB, and clusters are not meant to grow past about 1000 primaries. "
            "Clients cache the slot -> node map (`CLUSTER SHARDS`, or `CLUSTER SLOTS` before 7.0).",
        ),
        figures=(DataTable(view.tag("keys and slots"), ("key", "hashed", "slot", "node"), rows),),
        checks=(checks.slots_agree.run(ctx, cr),),
    )


def crossslot(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    return StepOutcome(
        narration=(
            _where(view),
            "A command that takes several keys (`MSET`, `MGET`, `SUNIONSTORE`, a Lua script's "
            "KEYS, every command inside `MULTI`) runs on one node, so all its keys must hash to one "
            "slot. Otherwise the node answers `-CROSSSLOT Keys in request don't hash to the same "
            "slot`; redis-py's cluster client refuses such an MSET before sending it, and offers "
            "`mset_nonatomic`, which splits it per node and gives up atomicity.",
            "The fix is a hash tag per entity: `{user:1000}:name`, `{user:1000}:email`. Tag what "
            "must move together, no more: one tag for a whole tenant puts all its keys, and all "
            "its traffic, on one node.",
        ),
        checks=(
            checks.same_slot.run(ctx, NAIVE_KEYS).expecting_failure(),
            checks.same_slot.run(ctx, cr),
        ),
    )


def moved(ctx: DrillContext) -> StepOutcome:
    view = open_view(ctx.backend)
    key = ctx.key("where", "{probe}")
    slot = key_slot(key)
    view.client().set(key, "here")
    owner = view.owner[slot]
    wrong = checks.other_primary(view, owner)
    shown = _short(ctx, key)
    rows = (
        (wrong, f"GET {shown}", _reply(ctx.tracer.attach(view.node(wrong)), "GET", key)),
        (owner, f"GET {shown}", _reply(ctx.tracer.attach(view.node(owner)), "GET", key)),
    )
    return StepOutcome(
        narration=(
            _where(view),
            f"`{key}` is in slot {slot}, served by {owner}. Asked directly, a node that does not "
            "serve the slot runs nothing: it answers `-MOVED <slot> <host:port>` with the owner. A "
            "smart client retries there and updates its map, so the next request goes straight to "
            "the owner.",
        ),
        figures=(DataTable(view.tag(f"asking two nodes (keys without {ctx.ns.prefix})"), _COLUMNS, rows),),
    )


def ask(ctx: DrillContext) -> StepOutcome:
    view = checks.reshard_view(ctx)
    rs = Resharder(view, ctx.ns.prefix, ctx.tracer.attach)
    moved_key, stays, slot = checks.slot_pair(ctx, rs, "ask")
    routed = view.client()
    routed.set(moved_key, "m")
    routed.set(stays, "s")
    source = view.owner[slot]
    target = checks.other_primary(view, source)
    new_key = moved_key.replace(":moved", ":new")
    try:
        rs.begin(slot, target)
        rs.migrate(slot, [moved_key])
        src, dst = rs.node(source), rs.node(target)
        m, st, nw = _short(ctx, moved_key), _short(ctx, stays), _short(ctx, new_key)
        rows = [
            (source, f"GET {m}", _reply(src, "GET", moved_key)),
            (source, f"GET {st}", _reply(src, "GET", stays)),
            (source, f"GET {nw}", _reply(src, "GET", new_key)),
            (target, f"GET {m}", _reply(dst, "GET", moved_key)),
            (target, f"ASKING, GET {m}", _reply(dst, "ASKING") and _reply(dst, "GET", moved_key)),
            ("routed client", f"GET {m}", repr(routed.get(moved_key))),
        ]
        kept = _client_owner(routed, slot)
    finally:
        rs.restore()
        routed.delete(moved_key, stays)  # empty again, so the checks below pick this slot too
    client_name = "the routing client" if view.simulated else "redis-py's RedisCluster"
    results = (
        checks.ask_keeps_map.run(ctx, NAIVE_ASK).expecting_failure(),
        checks.ask_keeps_map.run(ctx, cr),
    )
    return StepOutcome(
        narration=(
            _where(view),
            f"Resharding moves slots one at a time. For slot {slot} the target {target} is marked "
            f"`CLUSTER SETSLOT {slot} IMPORTING <source id>`, the source {source} `... MIGRATING "
            f"<target id>`, and `MIGRATE` copies keys over in batches (here one key, so the slot "
            "is half moved).",
            "Meanwhile the source serves the keys it still has, and answers `-ASK` for a key it no "
            "longer has (moved, or new: new keys are created on the target). The target serves "
            "such a key only right after `ASKING`; without it the target answers MOVED back to the "
            "source, which still owns the slot. A multi-key command whose keys are split between "
            "the two gets `-TRYAGAIN` from the source on Redis 7.0+ (a 6.2 source answers ASK).",
            f"ASK is one-shot: the client must not update its map. After the ASK, {client_name} "
            f"still sends slot {slot} to {kept}. {_same_slot(results, slot)}",
        ),
        figures=(
            DataTable(
                view.tag(f"during the migration (keys without {ctx.ns.prefix})"), _COLUMNS, tuple(rows)
            ),
        ),
        checks=results,
    )


def after_move(ctx: DrillContext) -> StepOutcome:
    view = checks.reshard_view(ctx)
    rs = Resharder(view, ctx.ns.prefix, ctx.tracer.attach)
    key, _, slot = checks.slot_pair(ctx, rs, "moved")  # the checks' label: the same slot as theirs
    stale = ctx.tracer.attach(view.client())  # loads its map now, before the slot moves
    stale.set(key, "v")
    before = _client_owner(stale, slot)
    try:
        source = rs.move(slot, checks.other_primary(view, view.owner[slot]))
        errors_before = view.errors("MOVED")[source]
        with ctx.tracer.operation(f"{checks.REQUESTS} GETs after the move"):
            for _ in range(checks.REQUESTS):
                stale.get(key)
        redirected = view.errors("MOVED")[source] - errors_before
        after = _client_owner(stale, slot)
    finally:
        rs.restore()
        with ctx.tracer.paused():
            stale.delete(key)  # empty again, so the checks below pick this slot too
    client_name = "the routing client" if view.simulated else "redis-py's cluster client"
    table_title = f"what {client_name} did with slot {slot}"
    results = (
        checks.moved_updates_map.run(ctx, NAIVE_MOVED).expecting_failure(),
        checks.moved_updates_map.run(ctx, cr),
    )
    patched = (
        "the first was redirected and the map patched, the rest went straight to the new owner"
        if redirected == 1
        else f"{redirected} of them were redirected"
    )
    rows = (
        ("map entry before the move", before),
        ("map entry after the requests", after),
        (f"MOVED replies {source} sent (INFO errorstats)", redirected),
    )
    return StepOutcome(
        narration=(
            _where(view),
            f"Here slot {slot} moves completely: every key migrated, then `CLUSTER SETSLOT {slot} "
            "NODE <target id>` on the target, the source and the other primaries. The old owner now "
            f"answers MOVED. A client whose map still had the old owner ({client_name}) "
            f"sent {checks.REQUESTS} GETs: {patched}. {_same_slot(results, slot)}",
            f"redis-py {redis.__version__} patches the one slot on every MOVED, and {_redispy_refresh()}; "
            "the cluster specification suggests reloading the whole map, since one moved slot "
            "usually means a resharding is moving many.",
            "Afterwards the drill moves the slot back, so the cluster ends as it started.",
        ),
        figures=(DataTable(view.tag(table_title), ("", "value"), rows),),
        checks=results,
    )


STEPS = (
    Step("Keys, slots and hash tags", slots),
    Step("CROSSSLOT: one command, one slot", crossslot),
    Step("MOVED: asking the wrong node", moved),
    Step("ASK while a slot migrates", ask),
    Step("After the move: MOVED and the client's map", after_move),
)


def _redispy_refresh() -> str:
    """What the installed redis-py's cluster client does after ``reinitialize_steps`` MOVED replies.

    Read from the library: redis-py 8.2 asks for a rate-limited refresh (``topology_refresh_min_interval``),
    older releases such as 5.2 reload the layout at once.
    """

    params = inspect.signature(cluster.RedisCluster.__init__).parameters
    steps = params["reinitialize_steps"].default if "reinitialize_steps" in params else 5
    every = f"after every {steps} MOVED replies (`reinitialize_steps`)"
    if "topology_refresh_min_interval" not in params:
        return f"{every} it reloads the whole layout at once"
    interval = getattr(cluster, "_TOPOLOGY_REFRESH_MIN_INTERVAL_SECONDS", None)
    default = f" (default {interval:g} s)" if isinstance(interval, int | float) else ""
    return (
        f"{every} it asks for a refresh of the whole layout, which the next command runs, at most "
        f"once per `topology_refresh_min_interval`{default}"
    )
