"""Judge a cache-aside design: hits return what was filled, a write invalidates, every entry has a TTL."""

from __future__ import annotations

from redisprep.interview.judges._common import Judge, Outcomes, errors_in, expiry_outcome, flatten
from redisprep.interview.runner import Bench

PRODUCTS = 50


def _page(n: int, version: int) -> str:
    return f"page-{n}-v{version}"


def run(bench: Bench) -> Outcomes:
    wrong, replies = [], []
    for n in range(PRODUCTS):
        product = f"sku{n}"
        first = bench.call("read", {"product": product})
        if first not in (None, ()):
            wrong.append(f"{product}: a cold read returned {first!r}")
        replies.append(bench.call("fill", {"product": product, "value": _page(n, 1), "ttl_s": "300"}))
        hit = flatten(bench.call("read", {"product": product}))
        if _page(n, 1) not in hit:
            wrong.append(f"{product}: read after fill gave {hit[:2]}")
    hits = (
        not wrong,
        "every read after a fill returned the page; cold reads missed"
        if not wrong
        else "; ".join(wrong[:2]) + errors_in(replies),
    )
    stale = []
    for n in range(0, PRODUCTS, 5):
        product = f"sku{n}"
        bench.call("invalidate", {"product": product})
        if _page(n, 1) in flatten(bench.call("read", {"product": product})):
            stale.append(product)
    invalidate = (
        not stale,
        f"{len(stale)} products still served the old page after a write ({stale[0]})"
        if stale
        else "after a database write the next read misses, then reloads",
    )
    return {
        "hits": hits,
        "ttl": expiry_outcome(bench, "stale pages live forever and memory only grows"),
        "invalidate": invalidate,
    }


JUDGE = Judge(
    "cache",
    {"read": ("product",), "fill": ("product", "value", "ttl_s"), "invalidate": ("product",)},
    {"read": "the cached page, or nil on a miss", "fill": "any", "invalidate": "any"},
    {
        "hits": "a read after a fill returns it",
        "ttl": "every cached entry has a TTL",
        "invalidate": "a write invalidates the cached copy",
    },
    run,
)
