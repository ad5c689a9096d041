"""Time per stage of a check or build, for `--profile`.

Stages are marked with `stage("parse")`: the driver marks each stage of its table
(`policyc.driver.STAGES`) by the stage's name, and reading and parsing inside the load stage as `read`
and `parse`. Nothing is measured unless a `Profile` is active (the marks then cost one function
call). A stage entered inside another pauses the outer one, so each moment is counted once: the
parse of an imported file counts as `parse`, not as `load`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Profile:
    """Seconds spent in each stage, in the order the stages were first entered."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stack: list[str] = []
        self._since = 0.0

    def _charge(self, now: float) -> None:
        if self._stack:
            name = self._stack[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._since
        self._since = now

    def enter(self, name: str) -> None:
        self._charge(time.perf_counter())
        self.seconds.setdefault(name, 0.0)
        self._stack.append(name)

    def leave(self) -> None:
        self._charge(time.perf_counter())
        self._stack.pop()

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def render(self) -> str:
        """`policyc: profile` and one line per stage: its name, milliseconds and share of the total."""
        total = self.total
        width = max((len(name) for name in self.seconds), default=5)
        lines = ["policyc: profile (time per stage)"]
        for name, seconds in self.seconds.items():
            share = seconds / total * 100 if total else 0.0
            lines.append(f"  {name:<{width}}  {seconds * 1000:9.1f} ms  {share:5.1f}%")
        lines.append(f"  {'total':<{width}}  {total * 1000:9.1f} ms")
        return "\n".join(lines) + "\n"


_active: list[Profile] = []


@contextmanager
def profiling(profile: Profile) -> Iterator[Profile]:
    """Measure the stages run inside the block into `profile`."""
    _active.append(profile)
    try:
        yield profile
    finally:
        _active.pop()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Mark the code inside the block as the stage `name`."""
    if not _active:
        yield
        return
    profile = _active[-1]
    profile.enter(name)
    try:
        yield
    finally:
        profile.leave()
