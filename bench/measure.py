"""Timing and peak-memory measurement shared by the benchmarks."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def stage(name: str, results: list):
    """Time a stage and sample its peak resident memory every 20 ms."""
    peak = [rss_mib()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        results.append((name, elapsed, max(peak[0], rss_mib())))
        print(f"{name:<28} {elapsed:8.2f} s   peak RSS {max(peak[0], rss_mib()):8.0f} MiB", flush=True)
