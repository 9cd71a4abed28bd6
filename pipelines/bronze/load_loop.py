"""dlt's loader without its one-second pauses.

dlt's `Load` waits for a finished job on a semaphore, with a 1 s timeout. A job that is
finished as soon as it is created (the filesystem destination's Delta table jobs: each
file's job is complete at once and only its follow-up job writes the table) never signals
it, so the loader sleeps the full second before it looks again: one second per table per
load, 20 s of a 40 s Delta lake copy at scale 1.0 (measured with dlt 1.31, pinned). Inside
`prompt_load_loop()` the loader looks again after 20 ms instead; nothing else changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dlt.load.load import Load

LOOP_WAIT_S = 0.02


@contextmanager
def prompt_load_loop() -> Iterator[None]:
    """Loads started inside the block wait at most `LOOP_WAIT_S` between looks at their jobs."""
    original = Load.__init__

    @functools.wraps(original)
    def init(self: Load, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._run_loop_sleep_duration = LOOP_WAIT_S

    Load.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Load.__init__ = original  # type: ignore[method-assign]
