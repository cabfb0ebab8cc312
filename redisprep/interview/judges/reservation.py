"""Judge a seat reservation: no double booking when two clients interleave, leases, and safe release."""

from __future__ import annotations

from redisprep.interview.judges._common import Judge, Outcomes, errors_in, expiry_outcome, truthy
from redisprep.interview.runner import Bench

SEATS = 20


def _hold(seat: str, who: str) -> dict[str, str]:
    return {"seat": seat, "holder": who, "token": f"tok-{who}-{seat}", "ttl_ms": "600000"}


def run(bench: Bench) -> Outcomes:
    doubles, nobody, resold = [], [], []
    replies = []
    for n in range(SEATS):
        seat = f"s{n}"
        a, b = bench.interleave([(0, "reserve", _hold(seat, "a")), (1, "reserve", _hold(seat, "b"))])
        replies += [a, b]
        won = truthy(a) + truthy(b)
        if won > 1:
            doubles.append(seat)
        elif won == 0:
            nobody.append(seat)
        if won and truthy(bench.call("reserve", _hold(seat, "c"))):
            resold.append(seat)
    if doubles or resold:
        sell = (
            False,
            f"seats sold twice: {len(doubles)} of {SEATS} when two clients raced, "
            f"{len(resold)} re-sold to a later buyer",
        )
    elif nobody:
        sell = (False, f"{len(nobody)} of {SEATS} seats went to nobody{errors_in(replies)}")
    else:
        sell = (True, f"{SEATS} races of two interleaved clients: exactly one winner each, no later re-sale")
    lease = expiry_outcome(bench, "an abandoned checkout holds its seat forever")
    bench.call("reserve", _hold("x1", "a"))
    bench.call("release", _hold("x1", "b"))  # b's token: must not free a's seat
    stolen = truthy(bench.call("reserve", _hold("x1", "c")))
    bench.call("release", _hold("x1", "a"))
    freed = truthy(bench.call("reserve", _hold("x1", "d")))
    if stolen:
        release = (False, "a release with another buyer's token freed the seat, and it was sold again")
    elif not freed:
        release = (False, "the holder's own release did not free the seat")
    else:
        release = (True, "only the holder's token releases the seat")
    return {"no-double-sell": sell, "lease": lease, "safe-release": release}


JUDGE = Judge(
    "reservation",
    {"reserve": ("seat", "holder", "token", "ttl_ms"), "release": ("seat", "token")},
    {"reserve": "truthy (OK or 1) when this buyer got the seat, nil or 0 when not", "release": "any"},
    {
        "no-double-sell": "one winner when two clients interleave; a held seat is not re-sold",
        "lease": "a hold expires by itself",
        "safe-release": "only the holder's token releases",
    },
    run,
)
