"""Sign-in attempts, limited: guessing passwords costs an attacker hours, not seconds.

After `ATTEMPTS` failed sign-ins within `WINDOW` seconds from one address, or for one email,
further attempts are refused (HTTP 429) until the oldest failure leaves the window. The counts
live in the server process (one server per workspace); a successful sign-in clears the email's.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

ATTEMPTS = 5
WINDOW = 15 * 60


class LoginLimiter:
    def __init__(self, attempts: int = ATTEMPTS, window: float = WINDOW, clock=time.monotonic):
        self.attempts, self.window, self.clock = attempts, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int:
        """Seconds until any of these keys (address, email) may try again; 0 when they may now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._failures[key]
                while failures and failures[0] <= now - self.window:
                    failures.popleft()
                if len(failures) >= self.attempts:
                    wait = max(wait, failures[0] + self.window - now)
        return int(wait) + (1 if wait else 0)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures[key].append(self.clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
