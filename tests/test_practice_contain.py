"""What learner code meets once the grading child has confined itself: its own uid, no descriptor of
the grader's, and limits that turn a bomb into an error it can see.

Each test forks the test process and calls :func:`confine` in the fork, as the grading child does,
then tries what a learner's module might; the fork reports what happened over a pipe. In-process (a
fork, not a new interpreter), so ``make mutate`` judges the confinement too.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import resource
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from mutation_support import add_mutmut_hits, mutmut_hits

from redisprep.practice import contain
from redisprep.practice.contain import ResourceLimits, confine

SMALL = ResourceLimits(file_bytes=1 << 20, open_files=64, processes=8, thread_stack_bytes=256 << 10)
PR_GET_PDEATHSIG = 2


def _in_confined_child(
    probe: Callable[[int], dict[str, Any]],
    limits: ResourceLimits = SMALL,
    ids: tuple[int, int] | None = None,
    parent: int | None = None,
    before: Callable[[], None] = lambda: None,
) -> tuple[int, dict[str, Any]]:
    """Fork, confine the fork as the grading child does, run ``probe(kept descriptor)`` there.

    Returns:
        The fork's exit code and what ``probe`` reported.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            os.close(read)
            before()
            confine(limits, ids, os.getppid() if parent is None else parent, (write,))
            report = {"probe": probe(write), "hits": mutmut_hits()}
            os.write(write, json.dumps(report).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        out = pipe.read()
    _, status = os.waitpid(pid, 0)
    report = json.loads(out) if out else {"probe": {}, "hits": []}
    add_mutmut_hits(report["hits"])
    return os.waitstatus_to_exitcode(status), report["probe"]


def _limits(_kept: int = -1) -> dict[str, Any]:
    names = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")
    return {name: list(resource.getrlimit(getattr(resource, name))) for name in names}


def test_every_limit_is_set_soft_and_hard_so_learner_code_cannot_raise_it() -> None:
    def probe(_kept: int) -> dict[str, Any]:
        raised = True
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
        except (ValueError, OSError):
            raised = False
        return {"limits": _limits(), "raised": raised, "stack": threading.stack_size()}

    code, seen = _in_confined_child(probe)
    assert code == 0
    if os.geteuid() != 0:  # the budget adds what this user already runs, which changes as we look
        del seen["limits"]["RLIMIT_NPROC"]
    assert seen["limits"] == {
        "RLIMIT_AS": [SMALL.memory_bytes] * 2,
        "RLIMIT_CPU": [SMALL.cpu_s] * 2,
        **({"RLIMIT_NPROC": [SMALL.processes] * 2} if os.geteuid() == 0 else {}),
        "RLIMIT_FSIZE": [SMALL.file_bytes] * 2,
        "RLIMIT_NOFILE": [SMALL.open_files] * 2,
        "RLIMIT_CORE": [0, 0],
    }
    assert not seen["raised"] and seen["stack"] == SMALL.thread_stack_bytes


def test_a_limit_never_rises_above_the_hard_limit_the_grader_runs_under() -> None:
    def lower_first() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))

    code, seen = _in_confined_child(_limits, before=lower_first)
    assert code == 0 and seen["RLIMIT_NOFILE"] == [40, 40]  # not 64: a hard limit only goes down


def test_an_allocation_bomb_fails_with_memory_error() -> None:
    def probe(_kept: int) -> dict[str, Any]:
        try:
            bytearray(SMALL.memory_bytes)
        except MemoryError:
            return {"error": "MemoryError"}
        return {"error": None}

    assert _in_confined_child(probe) == (0, {"error": "MemoryError"})


def test_writing_past_the_file_size_limit_is_an_error_not_a_killed_process(tmp_path: Any) -> None:
    path = tmp_path / "big"

    def probe(_kept: int) -> dict[str, Any]:
        with open(path, "wb", buffering=0) as f:
            f.write(b"x" * SMALL.file_bytes)
            try:
                f.write(b"x")
            except OSError as exc:
                return {"errno": exc.errno}
        return {"errno": None}

    import errno

    assert _in_confined_child(probe) == (0, {"errno": errno.EFBIG})
    assert path.stat().st_size == SMALL.file_bytes


def test_opening_more_files_than_the_limit_fails_with_too_many_open_files() -> None:
    def probe(_kept: int) -> dict[str, Any]:
        opened = []
        try:
            while True:
                opened.append(os.open("/dev/null", os.O_RDONLY))
        except OSError as exc:
            return {"errno": exc.errno, "highest": max(opened)}

    import errno

    code, seen = _in_confined_child(probe)
    assert code == 0 and seen == {"errno": errno.EMFILE, "highest": SMALL.open_files - 1}


def test_no_descriptor_of_the_grader_survives_but_the_pipe_to_it() -> None:
    """A file the grader had open (its progress store, a server socket) is closed before learner code."""
    held: list[int] = []

    def open_some() -> None:
        held.extend(os.open("/dev/null", os.O_RDONLY) for _ in range(3))

    def probe(kept: int) -> dict[str, Any]:
        return {"open": [fd for fd in range(SMALL.open_files) if _is_open(fd)], "kept": kept, "held": held}

    code, seen = _in_confined_child(probe, before=open_some)
    assert code == 0 and len(seen["held"]) == 3  # premise: the grader held three more
    assert seen["open"] == sorted({0, 1, 2, seen["kept"]})


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_the_child_can_gain_no_privilege_and_dies_with_the_grader() -> None:
    def probe(_kept: int) -> dict[str, Any]:
        status = open("/proc/self/status").read()
        no_new_privs = next(line.split()[1] for line in status.splitlines() if line.startswith("NoNewPrivs"))
        sig = ctypes.c_int(0)
        ctypes.CDLL(None, use_errno=True).prctl(PR_GET_PDEATHSIG, ctypes.byref(sig), 0, 0, 0)
        # prctl says whether the kernel took the option: asking again is accepted, nonsense refused.
        said = [contain.prctl(contain.PR_SET_NO_NEW_PRIVS, 1), contain.prctl(-1, 0)]
        return {"no_new_privs": no_new_privs, "pdeathsig": sig.value, "said": said}

    seen = {"no_new_privs": "1", "pdeathsig": int(signal.SIGKILL), "said": [True, False]}
    assert _in_confined_child(probe) == (0, seen)


def test_a_child_whose_grader_is_already_gone_exits_before_running_anything() -> None:
    code, seen = _in_confined_child(lambda _kept: {"ran": True}, parent=os.getpid() + 1_000_000)
    assert (code, seen) == (70, {})


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader only changes uid when run as root")
def test_as_root_learner_code_runs_as_the_gradings_own_uid_with_its_process_budget() -> None:
    ids = contain.unprivileged_ids()
    assert ids is not None

    def probe(_kept: int) -> dict[str, Any]:
        started = 0
        stop = threading.Event()
        threads = []
        try:
            for _ in range(SMALL.processes * 4):
                t = threading.Thread(target=stop.wait)
                t.start()
                threads.append(t)
                started += 1
        except RuntimeError:
            pass
        finally:
            stop.set()
            for t in threads:
                t.join()
        signals_init = True
        try:
            os.kill(1, 0)
        except PermissionError:
            signals_init = False
        return {
            "signals_init": signals_init,
            "ids": [os.getuid(), os.getgid()],
            "groups": os.getgroups(),
            "threads": started,
            "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)),
        }

    # Room enough in the address space that only the process budget stops a thread (a thread that
    # cannot get its stack under RLIMIT_AS fails the same way).
    roomy = dataclasses.replace(SMALL, memory_bytes=1 << 36)
    code, seen = _in_confined_child(probe, roomy, ids=ids)
    assert code == 0
    assert seen["ids"] == list(ids) and seen["groups"] == [] and not seen["signals_init"]
    # The budget is the limit on top of what the uid already runs: this child alone (a uid of its
    # own), so learner code may start exactly `processes` more threads or processes.
    assert seen["nproc"] == [SMALL.processes + 1] * 2 and seen["threads"] == SMALL.processes, seen
