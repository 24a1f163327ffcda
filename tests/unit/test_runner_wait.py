"""The crawl runner's wait for its child's result (tracker.sources.runner._wait_for)."""

from __future__ import annotations

from tracker.sources.runner import _wait_for


class ClosedPipe:
    """The runner's end of the pipe of a child that was killed: nothing to read at the first poll, then it
    reads as closed (``recv`` raises EOFError, as multiprocessing's does)."""

    def __init__(self) -> None:
        self.polls = 0

    def poll(self, timeout: float = 0) -> bool:
        self.polls += 1
        return self.polls > 1

    def recv(self) -> object:
        raise EOFError


class Ended:
    def is_alive(self) -> bool:
        return False


class Sent(ClosedPipe):
    def recv(self) -> object:
        return {"status": "success"}


def test_a_child_killed_between_two_polls_gives_no_result_instead_of_an_error():
    assert _wait_for(Ended(), ClosedPipe(), "blogs", None, 0) is None


def test_a_child_that_sent_its_result_and_ended_gives_it():
    assert _wait_for(Ended(), Sent(), "blogs", None, 0) == {"status": "success"}
