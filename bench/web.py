"""Benchmark: the web app under concurrent users — the account page and the accounts list on loopback.

    python bench/web.py --accounts 20000 [--clients 50] [--seconds 30] [--workspace DIR] [--role director]

Builds a demo company as `make demo` does (`tenure init`, `demo generate`, `load`, `predict train`,
`run`, `demo logins`) — or reuses --workspace when it already holds one — then starts `tenure serve`
in its own process on a free loopback port, signs in through the sign-in form as the demo login of
--role, and for each scenario runs --clients concurrent clients for --seconds: the account 360 of
random accounts the user may see, then the accounts list with random filters, sorts and pages.
Prints requests per second, p50/p95/p99 latency, errors, and the server's resident memory.
The load loop is bounded: no request starts after the deadline and each has a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

TENURE = Path(sys.executable).with_name("tenure")
END = "2026-09-30"  # the demo's last day of history: every stage is computed as of it
REQUEST_TIMEOUT = 60.0
SORTS = ("account", "segment", "health", "churn", "renewal", "csm", "arr", "motion")
ROLES = ("admin", "director", "manager", "csm", "sales", "viewer")  # the demo logins
PAGE_SIZE = 50  # rows per page of the accounts list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients.")
    parser.add_argument("--seconds", type=float, default=30, help="Length of each scenario's run.")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="Reuse this demo workspace (built here first, with its files in DIR-data, if it holds "
                             "none); default: a temp dir, removed at the end.")
    parser.add_argument("--role", default="director", choices=ROLES,
                        help="Whose demo login the clients use (their scope decides the accounts they open).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-model", action="store_true",
                        help="Build without training the renewal model (pages then show no churn probability).")
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.mkdtemp(prefix="tenure-web-bench-")) / "ws"
    print(f"tenure web benchmark: {args.clients} clients × {args.seconds:g} s per scenario, as the demo {args.role}, "
          f"workspace {root}")
    if not (root / "tenure.yaml").exists():
        build(root, accounts=args.accounts, months=args.months, seed=args.seed, model=not args.no_model)
    login = demo_login(root, args.role)
    with served(root) as (base_url, server):
        cookie = sign_in(base_url, login)
        headers = {"Cookie": cookie}
        started = time.perf_counter()
        listing = all_accounts(base_url, headers)
        print(f"   the first list request (builds the company's frames) and paging the API: "
              f"{time.perf_counter() - started:.1f} s; {len(listing):,} accounts visible to the {args.role}")
        started = time.perf_counter()
        first = httpx.get(f"{base_url}/accounts/{quote(listing[0]['account_id'])}", headers=headers, timeout=600)
        print(f"   the first account page (the frames pages are cut from; the server warms them up as it starts): "
              f"{time.perf_counter() - started:.1f} s, status {first.status_code}")
        rng = random.Random(args.seed)
        scenarios = {"account page": account_pages(listing, rng), "accounts list": list_pages(listing, rng)}
        for name, next_path in scenarios.items():
            result = asyncio.run(load(base_url, headers, next_path, clients=args.clients, seconds=args.seconds))
            result.report(name)
        print(f"   server resident memory at the end: {rss_mib(server.pid):,.0f} MiB")
    if args.workspace is None:
        shutil.rmtree(root.parent, ignore_errors=True)


def build(root: Path, *, accounts: int, months: int, seed: int, model: bool = True) -> None:
    """A demo company in `root` (its generated files beside it, in ROOT-data), loaded, scored and run as of END.

    Without `model` the renewal model is not trained (hours at 20,000 accounts on 2 cores): pages then
    show no churn probability, which is one stored-score lookup less per page, not a different path.
    """
    data = root.parent / f"{root.name}-data"
    steps = [
        ("init", ["init", root]),
        ("demo generate", ["demo", "generate", "--out", data, "--accounts", accounts, "--months", months,
                           "--seed", seed, "--end", END]),
        ("load", ["--workspace", root, "load", data]),
        ("predict train", ["--workspace", root, "predict", "train", "--as-of", END]),
        ("run", ["--workspace", root, "run", "--as-of", END]),
    ]
    if not model:
        steps = [step for step in steps if step[0] != "predict train"]
    for name, argv in steps:
        started = time.perf_counter()
        done = subprocess.run([str(TENURE), *map(str, argv)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"`tenure {' '.join(map(str, argv))}` failed:\n{done.stdout}{done.stderr}")
        print(f"{'build: ' + name:<28} {time.perf_counter() - started:8.2f} s", flush=True)


def demo_login(root: Path, role: str) -> dict:
    """The demo login of `role` (`tenure demo logins` creates them on first use and changes nothing after)."""
    done = subprocess.run([str(TENURE), "--workspace", str(root), "demo", "logins", "--format", "json"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`tenure demo logins` failed:\n{done.stdout}{done.stderr}")
    return next(row for row in json.loads(done.stdout) if row["role"] == role)


@contextmanager
def served(root: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`tenure serve` in its own process on a free loopback port: its URL and process, stopped at the end."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([str(TENURE), "--workspace", str(root), "serve", "--port", str(port), "--quiet"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not answers(url):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("`tenure serve` did not answer within two minutes")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/login", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def sign_in(base_url: str, login: dict) -> str:
    """The session cookie of a sign-in through the form (set by hand: the cookies are Secure, the URL is http)."""
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        form = client.get("/login")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        login_cookie = form.headers["set-cookie"].split(";")[0]
        answer = client.post("/login", headers={"Cookie": login_cookie}, follow_redirects=False,
                             data={"email": login["email"], "password": login["password"], "csrf_token": token})
        if answer.status_code != 303:
            raise SystemExit(f"signing in as {login['email']} failed: {answer.status_code} {answer.text[:300]}")
        return next(c.split(";")[0] for c in answer.headers.get_list("set-cookie") if c.startswith("tenure_session="))


def all_accounts(base_url: str, headers: dict) -> list[dict]:
    """Every account the user may see, from the API (what the random requests draw from)."""
    found, page = [], 1
    with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT * 5) as client:
        while True:
            answer = client.get("/api/v1/accounts", params={"per_page": 500, "page": page})
            answer.raise_for_status()
            body = answer.json()
            found += body["items"]
            if page >= body["pages"]:
                return found
            page += 1


def account_pages(listing: list[dict], rng: random.Random) -> Callable[[], str]:
    ids = [row["account_id"] for row in listing]
    return lambda: f"/accounts/{quote(rng.choice(ids), safe='')}"


def list_pages(listing: list[dict], rng: random.Random) -> Callable[[], str]:
    """Random views of the list: no filter or one of segment, band, CSM, motion, renewal window; any sort and page."""
    values = {key: sorted({row[key] for row in listing if row.get(key)}) for key in ("segment", "band", "owner",
                                                                                      "motion")}

    def path() -> str:
        query = {"sort": rng.choice(SORTS), "order": rng.choice(("asc", "desc"))}
        kind = rng.choice(("none", "segment", "band", "csm", "motion", "renewal_within"))
        if kind == "renewal_within":
            query["renewal_within"] = rng.choice((30, 90, 180))
        elif kind != "none":
            choices = values["owner" if kind == "csm" else kind]
            if choices:
                query[kind] = rng.choice(choices)
        if kind == "none":
            query["page"] = rng.randint(1, max(1, -(-len(listing) // PAGE_SIZE)))
        return f"/accounts?{urlencode(query)}"

    return path


@dataclass
class Result:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def report(self, name: str) -> None:
        done = len(self.latencies)
        if done >= 2:
            cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
            p50, p95, p99 = cuts[49], cuts[94], cuts[98]
        else:
            p50 = p95 = p99 = self.latencies[0] if done else float("nan")
        errors = sum(self.errors.values())
        print(f"{name:<16} {done / self.seconds:8.1f} req/s   p50 {p50 * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   "
              f"p99 {p99 * 1000:7.0f} ms   {done:,} requests, {errors:,} errors"
              + (f" ({', '.join(f'{k}: {v}' for k, v in self.errors.most_common())})" if errors else ""), flush=True)


async def load(base_url: str, headers: dict, next_path: Callable[[], str], *, clients: int,
               seconds: float) -> Result:
    """`clients` workers request `next_path()` back to back until `seconds` have passed; latencies of the answers."""
    result = Result()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT, limits=limits,
                                 follow_redirects=False) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    answer = await client.get(next_path())
                except httpx.HTTPError as exc:
                    result.errors[type(exc).__name__] += 1
                    continue
                if answer.status_code == 200:
                    result.latencies.append(time.perf_counter() - sent)
                else:
                    result.errors[f"HTTP {answer.status_code}"] += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        result.seconds = time.perf_counter() - started
    return result


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
