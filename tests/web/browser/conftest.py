"""The real server and Debian's Chromium: one small company served on loopback for the whole browser suite.

The company is tests/web/company.py's (five accounts, a user per role, password PASSWORD) with two
open CTAs: one on A1 for the CSM c1, which a test closes from the account page, and an overdue one
on A3 for c2, so the CTA pages have something to show. The app runs in uvicorn
on a thread, on a free loopback port, exactly as `tenure serve` builds it; Playwright drives
/usr/bin/chromium headless (never a downloaded browser). Each role signs in once per session and
keeps its browser context, so the suite pays for each password check once.

Every page a test opens is watched: console errors, failed requests and responses of 400 or more
are collected on the `Watched` page, and tests assert them empty.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from tenure.web.app import create_app
from tenure.web.state import AppState
from tenure.workflow.models import Cta
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import AS_OF, PASSWORD, USERS, build_company

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run"]
# asked for by the browser itself, not by any page; the app has none, and Chromium logs the 404 as a console error
BROWSER_OWN = "/favicon.ico"
SEEDED_CTA = "Call the champion about the renewal"  # open on A1 for c1: a test closes it
OVERDUE_CTA = "Usage dropped: plan a health check"  # open on A3 for c2, overdue: stays open for the screenshots
TIMEOUT_MS = 60_000  # generous: CI runs two pytest processes on two cores

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)",
                allow_module_level=True)


@dataclass
class Watched:
    """A page with what went wrong on it since it opened: console errors, failed requests, error responses."""

    page: object
    response: object = None  # the navigation's response (status, headers)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.failed_requests + self.error_responses

    def screenshot(self, name: str) -> Path:
        """The whole page as a PNG under SCREENSHOTS, after its lazy images loaded."""
        self.load_images()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def load_images(self) -> None:
        """Bring each lazy image into view and wait until it loaded (or failed), then go back to the top.

        `evaluate`, not `wait_for_function`: the app's CSP forbids the eval() the latter needs.
        """
        self.page.evaluate("""async () => {
            for (const image of Array.from(document.images)) {
                if (image.complete) { continue; }
                image.scrollIntoView();
                await new Promise(done => {
                    image.addEventListener("load", done);
                    image.addEventListener("error", done);
                });
            }
            window.scrollTo(0, 0);
        }""")

    def charts(self) -> list[dict]:
        """Each chart of the page as drawn: its size, and its marks (inline SVG) or its image's natural width."""
        self.load_images()
        return self.page.locator("main .chart").evaluate_all("""charts => charts.map(chart => {
            const drawn = chart.querySelector("svg, img");
            const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
            return {kind: drawn ? drawn.tagName.toLowerCase() : null, width: box.width, height: box.height,
                    marks: drawn && drawn.tagName.toLowerCase() === "svg"
                        ? drawn.querySelectorAll("path, rect, line, text").length : null,
                    natural_width: drawn && drawn.tagName.toLowerCase() === "img" ? drawn.naturalWidth : null};
        })""")


@pytest.fixture(scope="session")
def company_root(tmp_path_factory) -> Path:
    root = build_company(tmp_path_factory.mktemp("browser-company"))
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session(actor="csm1@example.com") as session:
        session.add(Cta(account_id="A1", kind="renewal", reason=SEEDED_CTA, rule=None, priority="high",
                        status="open", owner_person_id="c1", due_date=AS_OF + dt.timedelta(days=14)))
        session.add(Cta(account_id="A3", kind="risk", reason=OVERDUE_CTA, rule=None, priority="medium",
                        status="open", owner_person_id="c2", due_date=AS_OF - dt.timedelta(days=5)))
    store.dispose()
    ws.close()
    return root


@pytest.fixture(scope="session")
def base_url(company_root) -> str:
    """The app served by uvicorn on a free loopback port, for the session; stopped at the end."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app_state = AppState.open(company_root)
    server = uvicorn.Server(uvicorn.Config(create_app(app_state), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True, name="tenure-serve")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the tenure server did not start within 30 seconds")
        time.sleep(0.05)
    assert httpx.get(f"{url}/login", timeout=10).status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()
    app_state.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield found
        found.close()


@pytest.fixture(scope="session")
def contexts(browser, base_url):
    """Browser contexts by role, each signed in through the sign-in form once."""
    opened = {}
    yield opened
    for context in opened.values():
        context.close()


@pytest.fixture
def open_as(browser, base_url, contexts):
    """`open_as("director", "/accounts")`: a watched page of that role's signed-in context at that path."""
    pages = []

    def make(role: str, path: str) -> Watched:
        if role not in contexts:
            contexts[role] = sign_in(browser, base_url, role)
        watched = watch(contexts[role].new_page())
        pages.append(watched)
        watched.response = watched.page.goto(path)
        return watched

    yield make
    for watched in pages:
        watched.page.close()


def sign_in(browser, base_url: str, role: str):
    """A new context signed in as the role's user through the sign-in form (as a person does it)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(USERS[role][0])
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/login" not in page.url, f"{role} could not sign in: {page.content()[:500]}"
    page.close()
    return context


def is_drawn(chart: dict) -> bool:
    """A chart that shows something: a visible size and, inline, some marks; as an image, one that decoded."""
    sized = chart["width"] > 100 and chart["height"] > 50
    return sized and (chart["marks"] > 5 if chart["kind"] == "svg" else chart["kind"] == "img" and
                      chart["natural_width"] > 0)


def watch(page) -> Watched:
    watched = Watched(page)
    page.on("console", lambda message: watched.console_errors.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not message.location.get("url", "").endswith(BROWSER_OWN) else None)
    page.on("pageerror", lambda error: watched.console_errors.append(f"page error: {error}"))
    # a request the browser itself cancels because the page navigated away (a form posted while lazy chart
    # images were loading) fails with net::ERR_ABORTED: not the server's doing; its errors show as responses
    page.on("requestfailed", lambda request: watched.failed_requests.append(
        f"failed {request.method} {request.url}: {request.failure}")
            if "ERR_ABORTED" not in (request.failure or "") else None)
    page.on("response", lambda response: watched.error_responses.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return watched
