"""The grader reads the child's frames in whichever waiting thread can, and each reaches its own thread."""

from __future__ import annotations

import queue
import random
import threading
from typing import Any

from redisprep.practice.relay import Relay, Waiter


class _Channel:
    """Frames ``{"to": n, "seq": i}`` in a chosen order; None when the child is gone (and ever after,
    as a closed socket answers)."""

    def __init__(self) -> None:
        self.frames: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.readers: set[str] = set()
        self.elsewhere: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.mailboxes: dict[int, Waiter] = {}
        self.closed = False

    def receive(self) -> dict[str, Any] | None:
        self.readers.add(threading.current_thread().name)
        frame = None if self.closed else self.frames.get()
        self.closed = frame is None
        return frame

    def route(self, frame: dict[str, Any]) -> Waiter | None:
        box = self.mailboxes.get(frame["to"])
        if box is None:
            self.elsewhere.append(frame)  # a question outside any call: the grader's service pool
        return box


def test_each_thread_gets_its_own_frames_in_order_whoever_reads_them() -> None:
    channel = _Channel()
    relay = Relay(channel.receive, channel.route, channel.lock)
    threads, per_thread = 8, 60
    channel.mailboxes = {n: queue.SimpleQueue() for n in range(threads)}
    order = [n for n in range(threads) for _ in range(per_thread)]
    random.Random(5).shuffle(order)
    seq = dict.fromkeys(range(threads), 0)
    for n in order:  # interleaved as concurrent calls' questions arrive
        channel.frames.put({"to": n, "seq": seq[n]})
        seq[n] += 1
    got: dict[int, list[int]] = {n: [] for n in range(threads)}

    def call(n: int) -> None:
        for _ in range(per_thread):
            frame = relay.wait(channel.mailboxes[n])
            assert frame is not None and frame["to"] == n
            got[n].append(frame["seq"])

    workers = [threading.Thread(target=call, args=(n,), name=f"call-{n}") for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert not any(w.is_alive() for w in workers)
    assert got == {n: list(range(per_thread)) for n in range(threads)}
    assert len(channel.readers) > 1  # the waiting threads took turns reading


def test_a_single_call_reads_its_own_frames_with_no_other_thread() -> None:
    channel = _Channel()
    relay = Relay(channel.receive, channel.route, channel.lock)
    channel.mailboxes = {0: queue.SimpleQueue()}
    for i in range(5):
        channel.frames.put({"to": 0, "seq": i})
    assert [relay.wait(channel.mailboxes[0]) for _ in range(5)] == [{"to": 0, "seq": i} for i in range(5)]
    assert channel.readers == {threading.current_thread().name}


def test_frames_nobody_waits_for_are_read_by_the_background_thread_even_during_a_call() -> None:
    """A question from a thread the learner's code started belongs to no waiting call: while the
    call's own thread is busy elsewhere, the background thread still reads it."""
    channel = _Channel()
    relay = Relay(channel.receive, channel.route, channel.lock)
    in_flight = True
    background = threading.Thread(target=relay.serve, args=(lambda: in_flight, lambda: False), daemon=True)
    background.start()
    channel.frames.put({"to": 99, "seq": 0})
    for _ in range(1000):
        if channel.elsewhere:
            break
        threading.Event().wait(0.01)
    assert channel.elsewhere == [{"to": 99, "seq": 0}]
    channel.frames.put(None)  # the child is gone: the background thread stops
    background.join(timeout=30)
    assert not background.is_alive()


def test_every_waiting_thread_learns_the_child_is_gone() -> None:
    channel = _Channel()
    relay = Relay(channel.receive, channel.route, channel.lock)
    channel.mailboxes = {0: queue.SimpleQueue(), 1: queue.SimpleQueue()}
    results: dict[int, Any] = {}

    def call(n: int) -> None:
        results[n] = relay.wait(channel.mailboxes[n])

    workers = [threading.Thread(target=call, args=(n,)) for n in range(2)]
    for w in workers:
        w.start()
    channel.frames.put(None)  # the reader learns it; the owner then tells every mailbox
    for box in channel.mailboxes.values():
        box.put(None)
    for w in workers:
        w.join(timeout=30)
    assert results == {0: None, 1: None}


def test_questions_and_answers_in_rounds_never_leave_the_pipe_unread() -> None:
    """Threads that each ask, wait for the answer, then wait for each other (the checks' lockstep
    rounds; answers in any order), with no background reader: baton passing alone must keep
    someone reading while anyone waits, or a round never completes."""
    channel = _Channel()
    relay = Relay(channel.receive, channel.route, channel.lock)
    threads, rounds = 8, 150
    channel.mailboxes = {n: queue.SimpleQueue() for n in range(threads)}
    asked: queue.Queue[int] = queue.Queue()
    got: dict[int, int] = dict.fromkeys(range(threads), 0)
    everyone = threading.Barrier(threads, timeout=30)

    def answer_in_rounds() -> None:
        rng = random.Random(7)
        for _ in range(rounds):
            batch = [asked.get() for _ in range(threads)]
            rng.shuffle(batch)
            for n in batch:
                channel.frames.put({"to": n, "seq": got[n]})

    def call(n: int) -> None:
        for _ in range(rounds):
            asked.put(n)
            frame = relay.wait(channel.mailboxes[n])
            assert frame is not None and frame["to"] == n
            got[n] += 1
            everyone.wait()  # a round ends when every thread has its answer

    answering = threading.Thread(target=answer_in_rounds, daemon=True)
    workers = [threading.Thread(target=call, args=(n,), daemon=True) for n in range(threads)]
    answering.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert got == dict.fromkeys(range(threads), rounds)
