"""Start the grading child before its module is known, so it imports while the grader opens the server.

The child (:mod:`.child`) first imports what learner code may need, which takes a few tenths of a
second, and only then reads the module and the limits from the pipe: started at the top of a grade,
that import runs while the parent opens the server and imports the embedded one. Nothing of the
learner's runs until :class:`~redisprep.practice.child_session.ChildSession` sends the module.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redisprep
from redisprep.practice.contain import unprivileged_ids

#: What the child process is started with: no site customisation, no environment of the user's.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[2]); "
    "from redisprep.practice.child import main; main(int(sys.argv[1]), sys.argv[3:])"
)


@dataclass
class Spawned:
    """A started grading child that no session has taken yet."""

    proc: subprocess.Popen[bytes]
    sock: socket.socket
    """The parent's end of the pipe."""
    ids: tuple[int, int] | None
    """The (uid, gid) the child will drop to (None: it keeps ours)."""
    workspace: Path
    preload: tuple[str, ...] = ()
    """Modules of redisprep's it imports with the standard library (:func:`.preload.preload`)."""
    taken: bool = False

    def load(self, modules: tuple[str, ...]) -> None:
        """Have the child import ``modules`` of redisprep's too, before it reads the learner's module.

        A child is started before the exercise is known (:func:`prestart`): it reads this after the
        standard library, still with the privileges it needs to import them.
        """
        new = tuple(m for m in modules if m not in self.preload)
        if new and not self.taken:
            from redisprep.practice import wire

            wire.Channel(self.sock).send({"op": "preload", "modules": list(new)})
            self.preload += new

    def usable_for(self, workspace: Path) -> bool:
        """Whether a session in ``workspace`` may take this child (untaken, alive, started there)."""
        return not self.taken and self.workspace == workspace and self.proc.poll() is None

    def release(self) -> None:
        """:meth:`discard`, and remove the workspace (a grade that took the child removed it already)."""
        self.discard()
        shutil.rmtree(self.workspace, ignore_errors=True)

    def discard(self) -> None:
        """Stop the child if no session took it (it has run nothing but imports)."""
        if self.taken:
            return
        self.taken = True
        self.sock.close()
        self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def spawn(workspace: Path, preload: tuple[str, ...] = ()) -> Spawned:
    """Start a grading child in ``workspace`` (its working directory, made its user's when root).

    Args:
        preload: Modules of redisprep's the child imports before it gives up its privileges
            (the graded drill's ``reference``, which solutions may build on).
    """
    ours, theirs = socket.socketpair()
    ids = unprivileged_ids()
    if ids is not None:
        os.chown(workspace, ids[0], ids[1])
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-c",
                _BOOT,
                str(theirs.fileno()),
                str(Path(redisprep.__file__).parent.parent),
                *preload,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=str(workspace),
            env=child_env(workspace),
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return Spawned(proc, ours, ids, workspace, preload)


def prestart() -> Spawned:
    """A grading child started now, in a fresh workspace, before the grader knows what it grades.

    Its imports (a quarter of a second) then run while this process loads the grader, or while the
    learner edits (``practice watch``). :func:`~redisprep.practice.grade.grade` takes it over;
    :meth:`Spawned.release` stops it if nobody did and removes its workspace.
    """
    workspace = Path(tempfile.mkdtemp(prefix="redisprep-grade-"))
    try:
        return spawn(workspace)
    except BaseException:
        shutil.rmtree(workspace, ignore_errors=True)
        raise


@contextmanager
def prestarted(started: Spawned | None = None) -> Iterator[Spawned]:
    """:func:`prestart`, released on the way out whatever happens (``practice check`` enters it first).

    ``started``: a child started earlier still (by the entry point), used instead while it is
    untaken and alive.
    """
    early = started if started is not None and started.usable_for(started.workspace) else prestart()
    try:
        yield early
    finally:
        early.release()


def child_env(workspace: Path) -> dict[str, str]:
    """The child's whole environment: nothing inherited, so no URL or password can be in it."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workspace),
        "TMPDIR": str(workspace),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        # glibc reserves 64 MiB of address space per malloc arena (up to 8 per core): under
        # RLIMIT_AS that would leave no room for the threads of a concurrent check.
        "MALLOC_ARENA_MAX": "2",
    }
