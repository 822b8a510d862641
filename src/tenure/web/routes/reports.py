"""Reports: generate the board pack and account briefs, list them and download them (page and API).

A report takes seconds to build (charts, a PDF), so a request only checks its input and queues the
work: one report at a time is built in a background thread, on its own read-only connection to the
warehouse (the pages keep theirs), and the page shows each request as pending, done (with its
files) or failed (with the message). The files are written under `<workspace>/reports/` with the
names `tenure report` gives them (`board-2026Q3.pdf`, `account-A1-2026-11-30.html`); the folder is
the list, so reports written by the CLI there show too. A download names one file of that folder
and nothing else: a name with a path in it, a dot file or another extension is not found. An
account brief, listed or downloaded, is only for users who may see its account.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from tenure.errors import TenureError
from tenure.web.access import Principal
from tenure.web.deps import allow, require_account, state, visible
from tenure.web.pages import render
from tenure.web.state import AppState

router = APIRouter()

FOLDER = "reports"  # under the workspace
FORMATS = ("html", "pdf")
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*\.(html|pdf)$")
BRIEF_NAME = re.compile(r"^account-(?P<account>.+)-\d{4}-\d{2}-\d{2}\.(html|pdf)$")
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
KEPT_JOBS = 50  # the newest requests the page lists; their files stay in the folder regardless


class BoardRequest(BaseModel):
    period: str = Field(description="The period the pack reports: 2026Q3 (a quarter), 2026-07 (a month), 2026 (a "
                                    "year); it must have ended by the day the data describes.")
    formats: list[str] = Field(default=["html", "pdf"], description="html and/or pdf.")


class BriefRequest(BaseModel):
    formats: list[str] = Field(default=["html", "pdf"], description="html and/or pdf.")


@dataclass
class ReportJob:
    """One request for a report: what, by whom, and how it went (pending, done with its files, or failed)."""

    id: str
    kind: str  # board or account
    subject: str  # the period label or the account id
    formats: tuple[str, ...]
    requested_by: str
    requested_at: dt.datetime
    status: str = "pending"
    message: str | None = None
    files: list[str] = field(default_factory=list)

    def json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "subject": self.subject, "formats": list(self.formats),
                "requested_by": self.requested_by, "requested_at": self.requested_at.isoformat(timespec="seconds"),
                "status": self.status, "message": self.message,
                "files": [{"name": name, "url": f"/reports/files/{name}"} for name in self.files]}


class ReportJobs:
    """The report requests of one app: queued on one worker thread, kept in memory (the files are the record)."""

    def __init__(self) -> None:
        self._jobs: list[ReportJob] = []
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tenure-report")

    def submit(self, job: ReportJob, work: Callable[[], list[Path]]) -> ReportJob:
        """Queue `work` for `job`; the same report already pending is returned instead of queued twice."""
        with self._lock:
            for queued in self._jobs:
                if queued.status == "pending" and (queued.kind, queued.subject, queued.formats) == (
                        job.kind, job.subject, job.formats):
                    return queued
            self._jobs = [job, *self._jobs][:KEPT_JOBS]
        self._worker.submit(self._run, job, work)
        return job

    def _run(self, job: ReportJob, work: Callable[[], list[Path]]) -> None:
        try:
            job.files = [path.name for path in work()]
            job.status = "done"
        except TenureError as exc:
            job.status, job.message = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - the page must say a report failed, whatever broke it
            job.status, job.message = "failed", f"the report could not be built: {type(exc).__name__}: {exc}"

    def all(self) -> list[ReportJob]:
        with self._lock:
            return list(self._jobs)


_JOBS_LOCK = threading.Lock()


def report_jobs(request: Request) -> ReportJobs:
    """The app's report queue, made on first use."""
    with _JOBS_LOCK:
        if not hasattr(request.app.state, "report_jobs"):
            request.app.state.report_jobs = ReportJobs()
        return request.app.state.report_jobs


def reports_folder(app: AppState) -> Path:
    return app.ws.root / FOLDER


def file_safe(account_id: str) -> str:
    """An account id as part of a file name: letters, digits, dot, dash and underscore kept, the rest `_`."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in account_id)


def brief_stem(account_id: str, day: dt.date) -> str:
    """The account brief's file name without extension, as `tenure report account` writes it."""
    return f"account-{file_safe(account_id)}-{day}"


def _formats(formats: list[str]) -> tuple[str, ...]:
    from tenure.reports.render import parse_formats

    return tuple(parse_formats(formats))


def request_board(request: Request, principal: Principal, period_text: str, formats: list[str]) -> ReportJob:
    """Check the period and formats now (a clear 400), then queue the board pack."""
    from tenure.operating.periods import parse_period

    app = state(request)
    wanted = _formats(formats)
    period = parse_period(period_text.strip(), fiscal_year_start_month=app.ws.config.fiscal_year_start_month,
                          option="period")
    latest = app.as_of()
    if period.end > latest:
        raise TenureError(f"period {period.label} ends on {period.end}, after {latest}, the latest day the data "
                          "describes: a board pack reports a period that has ended")

    def work() -> list[Path]:
        from tenure.reports.board.document import build_board
        from tenure.reports.render import render_html, write_report

        ws = app.reader()
        try:
            pack = build_board(ws, period.label)
            html = render_html(title=pack.title, subtitle=pack.subtitle, sections=pack.sections,
                               currency=pack.currency)
            return write_report(html, reports_folder(app), pack.stem, wanted)
        finally:
            ws.close()

    job = ReportJob(uuid.uuid4().hex[:12], "board", period.label, wanted, principal.email, dt.datetime.now(dt.UTC))
    return report_jobs(request).submit(job, work)


def request_brief(request: Request, principal: Principal, account_id: str, formats: list[str]) -> ReportJob:
    """Check the account is in the user's scope and the formats, then queue its brief as of the pages' day."""
    require_account(principal, request, account_id)
    app = state(request)
    wanted = _formats(formats)
    day = app.as_of()

    def work() -> list[Path]:
        from tenure.reports.brief import build_brief
        from tenure.reports.render import render_html, write_report

        ws = app.reader()
        try:
            title, subtitle, sections = build_brief(ws, account_id, as_of=day)
            html = render_html(title=title, subtitle=subtitle, sections=sections, currency=ws.config.base_currency,
                               page_per_section=False)
            return write_report(html, reports_folder(app), brief_stem(account_id, day), wanted)
        finally:
            ws.close()

    job = ReportJob(uuid.uuid4().hex[:12], "account", account_id, wanted, principal.email, dt.datetime.now(dt.UTC))
    return report_jobs(request).submit(job, work)


def _seen_briefs(principal: Principal, request: Request) -> set[str]:
    """The account parts of the brief file names this user may open."""
    return {file_safe(a) for a in visible(principal, request)["account_id"]}


def _may_open(name: str, seen: set[str]) -> bool:
    brief = BRIEF_NAME.match(name)
    return brief is None or brief["account"] in seen


def listed_reports(principal: Principal, request: Request) -> list[dict]:
    """The report files of the folder this user may open, newest first."""
    folder = reports_folder(state(request)).resolve()
    if not folder.is_dir():
        return []
    seen = _seen_briefs(principal, request)
    found = []
    for path in folder.iterdir():
        if _in_folder(folder, path.name) and _may_open(path.name, seen):
            stat = path.stat()
            found.append({"name": path.name, "url": f"/reports/files/{path.name}", "format": path.suffix[1:],
                          "kind": "account brief" if BRIEF_NAME.match(path.name) else
                          "board pack" if path.name.startswith("board-") else "report", "bytes": stat.st_size,
                          "modified": dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds")})
    return sorted(found, key=lambda f: (f["modified"], f["name"]), reverse=True)


def _in_folder(folder: Path, name: str) -> bool:
    """Whether `name` is a report file right in `folder` (resolved): a plain name, no link out of it."""
    if not FILE_NAME.match(name):
        return False
    path = (folder / name).resolve()
    return path.parent == folder and path.is_file()


def listed_jobs(principal: Principal, request: Request) -> list[ReportJob]:
    """The recent requests, without the briefs of accounts outside this user's scope."""
    seen = set(visible(principal, request)["account_id"])
    return [job for job in report_jobs(request).all() if job.kind != "account" or job.subject in seen]


def default_period(app: AppState) -> str:
    """The last full quarter on the day the data describes (the board pack a director most likely wants)."""
    from tenure.operating.periods import period_containing

    day = app.as_of()
    fiscal = app.ws.config.fiscal_year_start_month
    quarter = period_containing(day, "quarter", fiscal_year_start_month=fiscal)
    if quarter.end > day:
        quarter = period_containing(quarter.start - dt.timedelta(days=1), "quarter", fiscal_year_start_month=fiscal)
    return quarter.label


@router.get("/api/v1/reports", tags=["reports"])
def reports_api(request: Request, principal: Principal = Depends(allow("company"))) -> dict:
    """The report files you may download (newest first) and the recent report requests with their status."""
    return {"files": listed_reports(principal, request),
            "jobs": [job.json() for job in listed_jobs(principal, request)]}


@router.post("/api/v1/reports/board", status_code=202, tags=["reports"])
def board_api(request: Request, body: BoardRequest, principal: Principal = Depends(allow("reports"))) -> dict:
    """Queue the board pack for a period; poll `GET /api/v1/reports` until the job is done or failed."""
    return request_board(request, principal, body.period, body.formats).json()


@router.post("/api/v1/reports/accounts/{account_id}", status_code=202, tags=["reports"])
def brief_api(request: Request, account_id: str, body: BriefRequest,
              principal: Principal = Depends(allow("reports"))) -> dict:
    """Queue the account brief of an account in your scope, as of the day the data describes."""
    return request_brief(request, principal, account_id, body.formats).json()


def _page(request: Request, principal: Principal, *, error: str | None = None):
    jobs = listed_jobs(principal, request)
    app = state(request)
    return render(request, "reports.html", principal, status_code=400 if error else 200, error=error,
                  files=listed_reports(principal, request), jobs=jobs,
                  pending=any(job.status == "pending" for job in jobs), may_generate=principal.can("reports"),
                  period=default_period(app), formats=FORMATS, as_of=app.as_of())


@router.get("/reports", include_in_schema=False)
def reports_page(request: Request, principal: Principal = Depends(allow("company"))):
    return _page(request, principal)


def _page_request(request: Request, principal: Principal, make: Callable[[], ReportJob]):
    """Queue from a form: back to the page, or the page with the message of a refused request."""
    try:
        make()
    except TenureError as exc:
        return _page(request, principal, error=str(exc))
    return RedirectResponse("/reports", status_code=303)


@router.post("/reports/board", include_in_schema=False)
def board_form(request: Request, principal: Principal = Depends(allow("reports")), period: str = Form(...),
               formats: list[str] = Form([])):
    return _page_request(request, principal, lambda: request_board(request, principal, period, formats))


@router.post("/reports/accounts/{account_id}", include_in_schema=False)
def brief_button(request: Request, account_id: str, principal: Principal = Depends(allow("reports")),
                 formats: list[str] = Form(["html", "pdf"])):
    """The brief of the account in the path (a button on an account's page)."""
    return _page_request(request, principal, lambda: request_brief(request, principal, account_id, formats))


@router.post("/reports/accounts", include_in_schema=False)
def brief_form(request: Request, principal: Principal = Depends(allow("reports")), account_id: str = Form(...),
               formats: list[str] = Form([])):
    """The brief of the account typed in the Reports page's form."""
    return _page_request(request, principal, lambda: request_brief(request, principal, account_id.strip(), formats))


@router.get("/reports/files/{name}", include_in_schema=False)
def report_file(request: Request, name: str, principal: Principal = Depends(allow("company"))):
    """One report of the folder, shown in the browser (HTML) or its PDF viewer."""
    folder = reports_folder(state(request)).resolve()
    if not _in_folder(folder, name) or not _may_open(name, _seen_briefs(principal, request)):
        raise HTTPException(404, f"no report named {name!r}")
    return FileResponse(folder / name, media_type=MEDIA[name.rsplit(".", 1)[1]], filename=name,
                        content_disposition_type="inline")
