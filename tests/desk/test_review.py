"""The joint CS and Sales review list against a hand-made company, as of 2026-03-31 (tier 60,000).

    account  ARR          next renewal   call (current)              band    p_churn  open expansions
    R3       120,000      2026-05-15     commit (at-risk before)     red     0.35     O1 20,000 proposal 2026-05-15,
                                                                                      O2 10,000 discovery 2026-04-20
    R5        96,000      2026-04-20     — (a call on its 2025 renewal)  yellow  —     —
    R1        60,000      2026-10-01     —                           green   0.05     —   (at the tier: in)
    R2        59,999.88   2026-06-01     —                           —       —        O6 (just below the tier: out)
    R4       240,000      churned 2026-01-01: not paying, out

Not open on the date: O3 (won), O4 (a renewal), O5 (created 2026-04-10).
R3's work: a risk CTA with one task done and "Plan the recovery" due 2026-04-12, a renewal CTA with "Send the
renewal quote" due 2026-04-05 (the next step), a closed risk CTA, an open escalation.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from cli.helpers import assert_error, strict_json, tenure
from operating.tables import account, line, person, workspace_with
from tenure.desk.review import REVIEW_COLUMNS, review_list
from tenure.views.desk_review import joint_review, review_accounts
from tenure.workflow.calls import call_history, open_work
from tenure.workflow.models import ForecastCall
from tenure.workflow.store import WorkflowStore

from .renewal_fixtures import at, cta, escalation, store_bands, store_predictions

AS_OF = dt.date(2026, 3, 31)
CONFIG = "desk:\n  review_min_arr: 60000\n"


def opportunity(opportunity_id: str, account_id: str, kind: str, amount: float, stage: str, close: str,
                status: str = "open", created: str = "2026-01-01") -> dict:
    return {"opportunity_id": opportunity_id, "account_id": account_id, "type": kind, "amount": amount,
            "close_date": close, "stage": stage, "status": status, "created_at": created}


TABLES = {
    "team": [person("C1"), person("C2")],
    "accounts": [account("R1", owner_csm_id="C1"), account("R2", owner_csm_id="C1"),
                 account("R3", segment="Enterprise", owner_csm_id="C2"), account("R4", owner_csm_id="C2"),
                 account("R5", owner_csm_id="C2")],
    "subscriptions": [line("S1", "R1", "2025-10-01", 5_000, term_months=12),
                      line("S2", "R2", "2025-06-01", 4_999.99, term_months=12),
                      line("S3", "R3", "2025-05-15", 10_000, term_months=12),
                      line("S4", "R4", "2025-01-01", 20_000, term_months=12, end_date="2026-01-01"),
                      line("S5", "R5", "2025-04-20", 8_000, term_months=12)],
    "opportunities": [
        opportunity("O1", "R3", "expansion", 20_000, "proposal", "2026-05-15", created="2026-02-01"),
        opportunity("O2", "R3", "expansion", 10_000, "discovery", "2026-04-20", created="2026-03-01"),
        opportunity("O3", "R3", "expansion", 5_000, "closed won", "2026-02-01", status="won", created="2025-12-01"),
        opportunity("O4", "R3", "renewal", 120_000, "proposal", "2026-05-15"),
        opportunity("O5", "R3", "expansion", 7_000, "discovery", "2026-06-01", created="2026-04-10"),
        opportunity("O6", "R2", "expansion", 3_000, "discovery", "2026-05-01"),
    ],
}


def seed(ws) -> None:
    """Predictions, bands, calls and work of the company."""
    store_predictions(ws, "2026-03-15", [("R3", 0.35, 0.1, 0.2, "seat utilisation 9% (typical 48%)"),
                                         ("R1", 0.05, 0.0, 0.5, "tickets up")])
    store_bands(ws, "2026-03-31", {"R1": "green", "R2": "green", "R3": "red", "R5": "yellow"})
    store = WorkflowStore.of(ws)
    with store.session() as session:
        session.add_all([
            ForecastCall(account_id="R3", renewal_date=dt.date(2026, 5, 15), call="at-risk", arr=120_000,
                         owner_person_id="C2", called_at=at("2026-03-01T10:00:00")),
            ForecastCall(account_id="R3", renewal_date=dt.date(2026, 5, 15), call="commit", arr=120_000,
                         owner_person_id="C2", called_at=at("2026-03-20T10:00:00")),
            ForecastCall(account_id="R5", renewal_date=dt.date(2025, 4, 20), call="commit", arr=96_000,
                         owner_person_id="C2", called_at=at("2025-03-01T10:00:00")),
            cta("R3", opened="2026-03-01T09:00:00", tasks=[("Call the sponsor", "2026-04-10", "2026-03-20T10:00:00"),
                                                           ("Plan the recovery", "2026-04-12", None)]),
            cta("R3", kind="renewal", opened="2026-03-10T09:00:00", tasks=[("Send the renewal quote", "2026-04-05",
                                                                            None)]),
            cta("R3", opened="2026-02-01T09:00:00", closed="2026-03-15T09:00:00",
                tasks=[("Earlier step", "2026-03-01", None)]),
            cta("R1", kind="lifecycle", opened="2026-02-01T09:00:00",
                tasks=[("Kickoff", "2026-03-01", "2026-03-02T10:00:00")]),
            escalation("R3", opened="2026-03-05T09:00:00"),
        ])
    store.dispose()


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("review"), TABLES, CONFIG)
    seed(ws)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        calls, work = call_history(session), open_work(session, as_of=AS_OF)
    store.dispose()
    yield ws, calls, work
    ws.close()


@pytest.fixture(scope="module")
def review(company):
    ws, calls, work = company
    return joint_review(ws, as_of=AS_OF, calls=calls, work=work)


def test_the_tier_is_inclusive(review):
    assert review.min_arr == 60_000  # desk.review_min_arr
    assert list(review.accounts["account_id"]) == ["R3", "R5", "R1"]  # largest first; R2 just below, R4 gone
    assert list(review.accounts.columns) == REVIEW_COLUMNS


def test_the_tier_moves_with_min_arr(company):
    ws, calls, work = company
    accounts = review_accounts(ws, as_of=AS_OF)
    listed = [review_list(accounts, min_arr=tier, as_of=AS_OF, calls=calls, expansions=None, work=work)
              for tier in (96_000, 96_000.01)]
    assert list(listed[0]["account_id"]) == ["R3", "R5"] and list(listed[1]["account_id"]) == ["R3"]
    lower = joint_review(ws, as_of=AS_OF, min_arr=59_999.88, calls=calls, work=work)
    assert list(lower.accounts["account_id"]) == ["R3", "R5", "R1", "R2"]
    assert lower.accounts.set_index("account_id").loc["R2", "expansion_opportunities"] == 1  # O6
    with pytest.raises(ValueError, match="at least 0"):
        review_list(accounts, min_arr=-1, as_of=AS_OF, calls=None, expansions=None, work=None)


def test_renewal_expansion_risks_and_next_step(review):
    r3 = review.accounts.set_index("account_id").loc["R3"]
    assert (r3["arr"], r3["renewal_date"], r3["days_to_renewal"]) == (120_000, dt.date(2026, 5, 15), 45)
    assert r3["call"] == "commit" and r3["churn_probability"] == pytest.approx(0.35)
    assert (r3["expansion_opportunities"], r3["expansion_amount"]) == (2, 30_000)
    assert (r3["expansion_stage"], r3["expansion_close_date"]) == ("discovery", dt.date(2026, 4, 20))
    assert (r3["band"], r3["top_driver"]) == ("red", "seat utilisation 9% (typical 48%)")
    assert (r3["open_risk_ctas"], r3["open_escalations"]) == (1, 1)
    assert (r3["next_step"], r3["next_step_due"]) == ("Send the renewal quote", dt.date(2026, 4, 5))
    assert review.expansions["opportunity_id"].tolist() == ["O2", "O1"]  # only the listed accounts', by close date


def test_accounts_without_calls_expansions_or_work(review):
    rows = review.accounts.set_index("account_id")
    assert pd.isna(rows.loc["R5", "call"])  # its call was on the 2025 renewal
    assert pd.isna(rows.loc["R5", "churn_probability"]) and rows.loc["R5", "band"] == "yellow"
    assert (rows.loc["R1", "expansion_opportunities"], rows.loc["R1", "expansion_amount"]) == (0, 0)
    assert (rows.loc["R1", "open_risk_ctas"], rows.loc["R1", "open_escalations"]) == (0, 0)
    assert rows.loc["R1", "next_step"] is None or pd.isna(rows.loc["R1", "next_step"])  # its only task is done


def test_open_work_is_point_in_time(company):
    ws, _calls, _work = company
    store = WorkflowStore.of(ws)
    with store.session() as session:
        before = open_work(session, as_of=dt.date(2026, 3, 12)).set_index("account_id")
    store.dispose()
    # on 2026-03-12 the now-closed risk CTA was still open, and its "Earlier step" (due 03-01) came first
    assert before.loc["R3", "open_risk_ctas"] == 2 and before.loc["R3", "next_step"] == "Earlier step"
    assert before.loc["R3", "open_escalations"] == 1


@pytest.mark.slow
def test_review_cli(tmp_path):
    ws = workspace_with(tmp_path, TABLES, CONFIG)
    seed(ws)
    root = ws.root
    ws.close()
    done = tenure("--workspace", root, "desk", "review", "--as-of", "2026-03-31", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, str(done)
    payload = strict_json(done.stdout)
    assert payload["min_arr"] == 60_000 and [a["account_id"] for a in payload["accounts"]] == ["R3", "R5", "R1"]
    r3 = payload["accounts"][0]
    assert [e["opportunity_id"] for e in r3["expansions"]] == ["O2", "O1"]
    assert (r3["call"], r3["renewal_date"], r3["next_step"]) == ("commit", "2026-05-15", "Send the renewal quote")
    lower = tenure("--workspace", root, "desk", "review", "--as-of", "2026-03-31", "--min-arr", "59999.88",
                   "--format", "csv", cwd=tmp_path)
    assert lower.returncode == 0 and lower.stdout.splitlines()[0].startswith("account_id,name,segment,arr")
    assert [row.split(",")[0] for row in lower.stdout.splitlines()[1:]] == ["R3", "R5", "R1", "R2"]
    table = tenure("--workspace", root, "desk", "review", "--as-of", "2026-03-31", cwd=tmp_path)
    assert table.returncode == 0 and "Joint review as of 2026-03-31: 3 accounts with ARR ≥ 60,000" in table.stdout
    text = " ".join(table.stdout.split())
    assert "2 contracts renew in the next 90 days" in text and "open expansion pipeline 30,000" in text
    bad = tenure("--workspace", root, "desk", "review", "--min-arr", "-5", cwd=tmp_path)
    assert bad.returncode != 0 and "Traceback" not in bad.output
    assert json.loads(tenure("--workspace", root, "desk", "review", "--as-of", "2026-03-31", "--min-arr", "500000",
                             "--format", "json", cwd=tmp_path).stdout)["accounts"] == []
    assert_error(tenure("--workspace", tmp_path / "nowhere", "desk", "review", cwd=tmp_path), 3)
