"""Run the real ``redisprep`` entry point with a server fault injected at the N-th command sent.

Usage: ``python tests/fault_inject.py PID SIGNAL N MARKER -- <redisprep arguments>``. Just before
the N-th command any redis-py connection of this process sends (handshakes included), ``SIGNAL``
(``KILL`` or ``STOP``) goes to ``PID``, and the number is written to ``MARKER`` so the test knows
the fault happened. Everything else is ``redisprep.cli.main.main``, unchanged.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def install(pid: int, sig: signal.Signals, at: int, marker: Path) -> None:
    """Patch redis-py's one write path so the fault fires before the ``at``-th command."""
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_packed_command
    lock = threading.Lock()
    sent = [0]

    def send_packed_command(self: Any, command: Any, check_health: bool = True) -> None:
        with lock:
            sent[0] += 1
            if sent[0] == at:
                os.kill(pid, sig)
                marker.write_text(str(at))
        original(self, command, check_health)

    AbstractConnection.send_packed_command = send_packed_command  # type: ignore[method-assign]


def main() -> None:
    pid, sig, at, marker = sys.argv[1:5]
    assert sys.argv[5] == "--"
    install(int(pid), signal.Signals[f"SIG{sig}"], int(at), Path(marker))
    from redisprep.cli.main import main as redisprep_main

    redisprep_main(sys.argv[6:])


if __name__ == "__main__":
    main()
