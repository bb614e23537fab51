"""Reconnect delays: exponential with full jitter, so clients that lost the same node spread out."""

import random


class Backoff:
    def __init__(self, base=0.25, cap=15.0, rand=random.random):
        self.base = base
        self.cap = cap
        self.rand = rand
        self.attempt = 0

    def next_delay(self, factor=1.0):
        """A delay drawn uniformly from [0, min(cap, base * 2**attempt) * factor)."""
        ceiling = min(self.cap, self.base * (2 ** self.attempt)) * factor
        self.attempt += 1
        return self.rand() * ceiling

    def reset(self):
        self.attempt = 0
