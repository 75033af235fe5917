"""Exponential backoff with full jitter, as ``dev.switchboard.client.grpc.Backoff``."""

from __future__ import annotations

import random as _random
from typing import Optional

__all__ = ["Backoff"]


class Backoff:
    """Attempt ``n`` waits a random time in ``[0, min(max, initial * 2**n)]`` seconds.

    Not thread-safe: each reconnect loop owns one.
    """

    def __init__(self, initial: float, maximum: float, random: Optional[_random.Random] = None) -> None:
        """
        Args:
            initial: the ceiling of the first wait, in seconds
            maximum: the largest ceiling, in seconds
            random: the source of jitter; seed it in tests
        """
        self._initial = max(0.001, float(initial))
        self._maximum = max(self._initial, float(maximum))
        self._random = random if random is not None else _random.Random()
        self._attempt = 0

    def next(self) -> float:
        """Returns the next wait in seconds and advances the attempt count."""
        ceiling = self._maximum if self._attempt >= 30 else min(self._maximum, self._initial * (2 ** self._attempt))
        self._attempt += 1
        return self._random.uniform(0.0, ceiling)

    def reset(self) -> None:
        """Starts again from the first attempt, after a success."""
        self._attempt = 0

    @property
    def attempts(self) -> int:
        """The number of waits handed out since the last reset."""
        return self._attempt
