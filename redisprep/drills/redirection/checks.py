"""Checks of the redirection drill: keys that share a slot, and a client following MOVED and ASK."""

from __future__ import annotations

import random
from typing import Any

from redis.crc import key_slot as redis_py_key_slot
from redis.exceptions import ClusterCrossSlotError

from redisprep.cluster.router import RedirectLoopError
from redisprep.drills._cluster import ClusterView, open_view, simulated_view
from redisprep.drills.check_helpers import Verdict, check, verdict
from redisprep.drills.context import DrillContext
from redisprep.drills.redirection.reshard import Resharder
from redisprep.knowledge.slots import key_slot

#: Requests sent after a slot moved, to count how many were redirected.
REQUESTS = 200
FIELDS = ("name", "email", "plan")


def reshard_view(ctx: DrillContext) -> ClusterView:
    """The backend's cluster if redisprep may move its slots, else a simulation."""
    view = open_view(ctx.backend)
    if view.may_reshard:
        return view
    return simulated_view(
        f"{view.label} was not started by redisprep, and moving a slot would change its topology"
    )


def slot_pair(ctx: DrillContext, rs: Resharder, label: str) -> tuple[str, str, int]:
    """Two keys of this run in one otherwise empty slot (they share a hash tag).

    The first empty slot is picked, so a step and the checks after it that use the same ``label``
    (and delete their keys when done, as they all do) work on the same slot.
    """
    tag = rs.empty_tag(lambda i: ctx.key(label, f"{{{label}{i}}}"))
    return f"{tag}:moved", f"{tag}:stays", key_slot(tag)


def other_primary(view: ClusterView, address: str) -> str:
    """The next primary after ``address``."""
    primaries = view.primaries
    return primaries[(primaries.index(address) + 1) % len(primaries)]


@check("redirection.slots_agree", "CRC16 mod 16384 agrees with the server")
def slots_agree(ctx: DrillContext, impl: Any) -> Verdict:
    """Slots computed here match CLUSTER KEYSLOT (or, simulated, redis-py's own implementation)."""
    view = open_view(ctx.backend)
    rng = random.Random(ctx.seed)
    keys = ["123456789", "{user:1000}:following", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}"]
    shapes = ("{0}", "{{{0}}}", "x{{}}{{{0}}}", "{{{0}", "{0}}}")
    keys += [ctx.key(rng.choice(shapes).format(rng.getrandbits(40))) for _ in range(200)]
    if view.simulated:
        theirs = [redis_py_key_slot(k.encode()) for k in keys]
        source = "redis-py's redis.crc.key_slot (the simulation has no server to ask)"
    else:
        node = ctx.tracer.attach(view.node(view.primaries[0]))
        with ctx.tracer.paused():
            theirs = [int(node.execute_command("CLUSTER KEYSLOT", k)) for k in keys]
        source = "CLUSTER KEYSLOT"
    wrong = [k for k, s in zip(keys, theirs, strict=True) if key_slot(k) != s]
    return verdict(
        not wrong,
        f"{len(keys) - len(wrong)} of {len(keys)} keys: same slot as {source}",
        pitfall="hash only the text inside the first non-empty {...}; CRC16 is the XMODEM variant",
        keys=len(keys),
        disagree=len(wrong),
    )


@check("redirection.same_slot", "related keys share a slot, so one MSET can use them")
def same_slot(ctx: DrillContext, impl: Any) -> Verdict:
    """``keys_for`` names keys that MSET and MGET accept together on a cluster node."""
    view = open_view(ctx.backend)
    keys = impl.keys_for(ctx.key("profile") + ":", "user:1000", list(FIELDS))
    slots = sorted({key_slot(k) for k in keys})
    node = ctx.tracer.attach(view.node(view.owner[key_slot(keys[0])]))
    values = {k: f"value {i}" for i, k in enumerate(keys)}
    try:
        node.mset(values)
        got = node.mget(keys)
    except ClusterCrossSlotError as exc:
        return verdict(
            False,
            view.tag(f"MSET failed: CROSSSLOT {exc}; the keys are in slots {slots}"),
            pitfall="without a shared hash tag each key has its own slot; add {entity} to every name",
            slots=len(slots),
        )
    ok = got == list(values.values())
    return verdict(
        ok,
        view.tag(f"MSET and MGET of {len(keys)} keys in slot {slots[0]} worked"),
        pitfall="the keys must hash to one slot",
        slots=len(slots),
    )


@check("redirection.ask_keeps_map", "during a migration, ASK is followed and the map kept")
def ask_keeps_map(ctx: DrillContext, impl: Any) -> Verdict:
    """A migrated key is read via ASK + ASKING; the slot's unmoved key still comes from the source."""
    view = reshard_view(ctx)
    rs = Resharder(view, ctx.ns.prefix)
    moved, stays, slot = slot_pair(ctx, rs, "ask")
    writer = view.client()
    writer.set(moved, "m")
    writer.set(stays, "s")
    client = ctx.tracer.attach(view.routing_client(impl.follow_redirect))
    source = view.owner[slot]
    try:
        rs.begin(slot, other_primary(view, source))
        rs.migrate(slot, [moved])
        got = [client.get(moved), client.get(stays), client.get(moved)]
        loop = None
    except RedirectLoopError as exc:
        got, loop = [], str(exc)
    finally:
        rs.restore()
        writer.delete(moved, stays)  # the slot is empty again: the next user of "ask" picks it too
    kept = client.slot_map[slot] == source
    ok = loop is None and got == ["m", "s", "m"] and kept and client.redirects["MOVED"] == 0
    message = (
        loop
        if loop
        else f"slot {slot}: read {got}; map still names {client.slot_map[slot]} (the source); "
        f"{client.redirects['ASK']} ASK and {client.redirects['MOVED']} MOVED redirects"
    )
    return verdict(
        ok,
        view.tag(message),
        pitfall="ASK is one-shot: send ASKING to the target and keep the map; treating it as MOVED "
        "bounces between source and target",
        slot=slot,
        ask=client.redirects["ASK"],
        moved=client.redirects["MOVED"],
    )


@check("redirection.moved_updates_map", "after a slot moved, one MOVED and no more redirects")
def moved_updates_map(ctx: DrillContext, impl: Any) -> Verdict:
    """A client with a stale map is redirected once, then goes straight to the new owner."""
    view = reshard_view(ctx)
    rs = Resharder(view, ctx.ns.prefix)
    key, _, slot = slot_pair(ctx, rs, "moved")
    writer = view.client()
    writer.set(key, "v")
    client = ctx.tracer.attach(view.routing_client(impl.follow_redirect))
    try:
        rs.move(slot, other_primary(view, view.owner[slot]))
        values = {client.get(key) for _ in range(REQUESTS)}
    finally:
        rs.restore()
        writer.delete(key)  # the slot is empty again: the next user of "moved" picks it too
    redirects = client.redirects["MOVED"]
    return verdict(
        redirects == 1 and values == {"v"},
        view.tag(f"slot {slot}: {redirects} MOVED in {REQUESTS} requests after the move"),
        pitfall="follow MOVED and update the slot map; otherwise every request pays a redirect",
        slot=slot,
        redirects=redirects,
        requests=REQUESTS,
    )


CHECKS = (same_slot, ask_keeps_map, moved_updates_map)
