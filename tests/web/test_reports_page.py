"""The Reports page and API on the small company of company.py (data as of 2026-06-30).

Reports are built in the background and written under the workspace's `reports/` folder; the tests
wait for each request to be done, then download what it wrote.
"""

from __future__ import annotations

import functools
import time

import pytest

from tenure.reports.board import document
from web.company import client_for, csrf_of, sign_in

WAIT = 180  # seconds a report may take on a busy CI machine


@pytest.fixture(scope="module")
def director(company):
    with client_for(company) as client:
        yield sign_in(client, "director")


def finished(client, job_id: str) -> dict:
    """The job once it is no longer pending."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        job = next(j for j in client.get("/api/v1/reports").json()["jobs"] if j["id"] == job_id)
        if job["status"] != "pending":
            return job
        time.sleep(0.5)
    raise AssertionError(f"report job {job_id} still pending after {WAIT} s")


def test_the_page_offers_the_last_full_quarter_to_those_who_generate(director, as_role):
    page = director.get("/reports")
    assert page.status_code == 200
    assert 'name="period" value="2026Q2"' in page.text  # 2026-06-30 closes the second quarter
    assert 'action="/reports/board"' in page.text and 'action="/reports/accounts"' in page.text
    viewer = as_role("viewer").get("/reports")
    assert viewer.status_code == 200 and 'action="/reports/board"' not in viewer.text


@pytest.mark.slow
def test_an_account_brief_is_generated_listed_and_downloaded(director):
    token = csrf_of(director, "/reports")
    sent = director.post("/reports/accounts", data={"account_id": "A1", "formats": ["html"], "csrf_token": token})
    assert sent.status_code == 303 and sent.headers["location"] == "/reports"
    job = director.get("/api/v1/reports").json()["jobs"][0]
    assert (job["kind"], job["subject"], job["formats"]) == ("account", "A1", ["html"])
    done = finished(director, job["id"])
    assert done["status"] == "done", done["message"]
    assert [f["name"] for f in done["files"]] == ["account-A1-2026-06-30.html"]
    brief = director.get("/reports/files/account-A1-2026-06-30.html")
    assert brief.status_code == 200 and brief.headers["content-type"].startswith("text/html")
    assert "A1 Inc" in brief.text and "Account brief as of 2026-06-30" in brief.text
    page = director.get("/reports")
    assert '<a href="/reports/files/account-A1-2026-06-30.html">' in page.text and "done" in page.text


@pytest.mark.slow
def test_a_board_pack_is_generated_as_html_and_pdf(director, monkeypatch):
    # two sections of the pack keep the test short; the pack's own tests build every section
    monkeypatch.setattr(document, "build_board",
                        functools.partial(document.build_board, sections=("headline", "gaps")))
    sent = director.post("/api/v1/reports/board", json={"period": "2026-06", "formats": ["html", "pdf"]},
                         headers={"X-CSRF-Token": csrf_of(director, "/reports")})
    assert sent.status_code == 202
    done = finished(director, sent.json()["id"])
    assert done["status"] == "done", done["message"]
    assert [f["name"] for f in done["files"]] == ["board-2026-06.html", "board-2026-06.pdf"]
    html = director.get("/reports/files/board-2026-06.html")
    assert "Customer success board pack" in html.text and "2026-06" in html.text
    pdf = director.get("/reports/files/board-2026-06.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    names = [f["name"] for f in director.get("/api/v1/reports").json()["files"]]
    assert {"board-2026-06.html", "board-2026-06.pdf"} <= set(names)


@pytest.mark.parametrize(("body", "message"), [
    ({"period": "2026Q3"}, "period 2026Q3 ends on 2026-09-30, after 2026-06-30"),
    ({"period": "someday"}, "someday"),
    ({"period": "2026Q2", "formats": ["docx"]}, "html and/or pdf"),
])
def test_a_bad_request_is_refused_before_anything_is_built(director, body, message):
    token = {"X-CSRF-Token": csrf_of(director, "/reports")}
    response = director.post("/api/v1/reports/board", json=body, headers=token)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_a_refused_form_shows_its_message_on_the_page(director):
    page = director.post("/reports/board", data={"period": "2026Q3", "formats": ["pdf"],
                                                 "csrf_token": csrf_of(director, "/reports")})
    assert page.status_code == 400 and "ends on 2026-09-30, after 2026-06-30" in page.text


def test_briefs_only_for_accounts_in_scope(director, as_role):
    token = {"X-CSRF-Token": csrf_of(director, "/reports")}
    assert director.post("/api/v1/reports/accounts/A5", json={}, headers=token).status_code == 404  # restricted
    manager = as_role("manager")
    outside = manager.post("/api/v1/reports/accounts/A4", json={"formats": ["html"]},
                           headers={"X-CSRF-Token": csrf_of(manager, "/reports")})
    assert outside.status_code == 403  # A4 is c3's, outside m1's team


def test_a_brief_file_is_only_for_those_who_may_see_its_account(director, as_role, company):
    folder = company / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "account-A5-2026-06-30.html").write_text("<p>A5 Inc, restricted</p>", encoding="utf-8")
    listed = [f["name"] for f in director.get("/api/v1/reports").json()["files"]]
    assert "account-A5-2026-06-30.html" not in listed
    assert director.get("/reports/files/account-A5-2026-06-30.html").status_code == 404
    admin = as_role("admin")  # cleared for restricted accounts
    assert "account-A5-2026-06-30.html" in [f["name"] for f in admin.get("/api/v1/reports").json()["files"]]
    assert "A5 Inc" in admin.get("/reports/files/account-A5-2026-06-30.html").text


@pytest.mark.parametrize("name", ["..%2Ftenure.yaml", "%2E%2E%2Fworkflow.sqlite", "..%5Ctenure.yaml",
                                  "%2Fetc%2Fpasswd", ".secret.html", "outside.html", "board.html%00.pdf",
                                  "tenure.yaml"])
def test_downloads_never_leave_the_reports_folder(director, company, name):
    folder = company / "reports"
    folder.mkdir(exist_ok=True)
    (company / "outside.html").write_text("OUTSIDE-THE-FOLDER", encoding="utf-8")
    link = folder / "outside.html"
    if not link.exists():
        link.symlink_to(company / "outside.html")  # a link out of the folder is not followed either
    (folder / ".secret.html").write_text("A-DOT-FILE", encoding="utf-8")
    response = director.get(f"/reports/files/{name}")
    assert response.status_code == 404
    assert "OUTSIDE-THE-FOLDER" not in response.text and "A-DOT-FILE" not in response.text
    assert "tenure.yaml" not in name or "base_currency" not in response.text
