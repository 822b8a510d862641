"""Month-end MRR and monthly movements on hand-made lines, each expected figure worked by hand.

Every scenario is its own account in one workspace loaded through the contract loader, and
every test compares an account's *whole* movement history, so a month that should not show
(a line that starts and ends between two month-ends, a trial) is checked as much as one that
should. History runs to AS_OF = 2025-06-30. Rows are `month: (movement, change, mrr_end)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.metrics import revenue
from tenure.views.revenue import paying_lines, revenue_summary

AS_OF = dt.date(2025, 6, 30)
MOVEMENT_TYPES = {"new", "expansion", "contraction", "churn", "reactivation", "flat"}


def label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def index(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def flat(first: str, last: str, mrr: str) -> dict[str, tuple[str, Decimal, Decimal]]:
    """Flat months first..last (inclusive) at this MRR."""
    return {label(m): ("flat", Decimal(0), Decimal(mrr)) for m in range(index(first), index(last) + 1)}


def row(movement: str, change: str, mrr_end: str) -> tuple[str, Decimal, Decimal]:
    return movement, Decimal(change), Decimal(mrr_end)


def line(subscription_id: str, account_id: str, start: str, end: str | None, mrr: str, *, product: str = "core",
         currency: str = "USD") -> dict[str, str | None]:
    """One subscription line; `end` is exclusive (None = open)."""
    return {"subscription_id": subscription_id, "account_id": account_id, "product": product,
            "start_date": start, "end_date": end, "mrr": mrr, "currency": currency}


def scenario_lines() -> list[dict[str, str | None]]:
    return [
        # MIDSTART: a line from the 15th is in its first month-end's snapshot.
        line("ms1", "MIDSTART", "2024-01-15", "2024-04-01", "100"),
        # README example: 100 from 2024-01-15, end 2024-03-01: Jan 31 and Feb 29, not Mar 31.
        line("ms2", "README", "2024-01-15", "2024-03-01", "100"),
        # MIDEND: ends 2024-03-15, so Feb 29 is its last snapshot and March is churn.
        line("me1", "MIDEND", "2023-11-10", "2024-03-15", "100"),
        # end_date is exclusive: ending ON a month-end misses that month-end...
        line("eo1", "ENDONME", "2023-12-05", "2024-01-31", "70"),
        # ...ending the day after it does not.
        line("ea1", "ENDAFTER", "2023-12-05", "2024-02-01", "70"),
        # SAMEMONTH: two lines inside February 2024 (the second ends on Feb 29, exclusive).
        line("sm1", "SAMEMONTH", "2024-02-03", "2024-02-20", "500"),
        line("sm2", "SAMEMONTH", "2024-02-01", "2024-02-29", "300"),
        # A same-month add-on on a paying account changes nothing either.
        line("sp1", "SAMEPAYING", "2024-01-01", "2024-04-01", "100"),
        line("sp2", "SAMEPAYING", "2024-02-03", "2024-02-20", "40", product="addon"),
        # SEVERAL: lines summed per account (README rule 3 plus two seat lines of 10.1 and 20.2).
        line("sv1", "SEVERAL", "2024-01-10", "2024-07-01", "100.0000"),
        line("sv2", "SEVERAL", "2024-01-20", "2024-05-20", "40", product="addon"),
        line("sv3", "SEVERAL", "2024-02-15", "2024-04-01", "10.1", product="seats"),
        line("sv4", "SEVERAL", "2024-03-01", "2024-04-01", "20.2", product="seats"),
        # REPLACED: a line replaced mid-month by one at the same price is flat.
        line("rp1", "REPLACED", "2024-01-01", "2024-04-10", "100"),
        line("rp2", "REPLACED", "2024-04-25", "2024-06-01", "100"),
        # UPDOWN: an upgrade on one product and a downgrade on another in the same month.
        line("ud1", "UPDOWN", "2023-10-01", "2024-03-10", "200"),
        line("ud2", "UPDOWN", "2024-03-10", "2024-06-05", "250"),
        line("ud3", "UPDOWN", "2024-06-05", "2024-09-01", "270"),
        line("ud4", "UPDOWN", "2024-09-01", "2024-11-01", "220"),
        line("ud5", "UPDOWN", "2023-10-01", "2024-03-05", "100", product="analytics"),
        line("ud6", "UPDOWN", "2024-03-05", "2024-06-12", "80", product="analytics"),
        line("ud7", "UPDOWN", "2024-06-12", "2024-09-01", "60", product="analytics"),
        line("ud8", "UPDOWN", "2024-09-01", "2024-11-01", "70", product="analytics"),
        # REACT: README rule 6: churned 2024-03 (last paying 2024-02), back 2025-01.
        line("re1", "REACT", "2023-06-01", "2024-03-01", "100"),
        line("re2", "REACT", "2025-01-10", "2025-03-01", "120"),
        # QUICKBACK: churned 2024-03, back 2024-05 (two months after the churn month).
        line("qb1", "QUICKBACK", "2024-01-01", "2024-03-01", "80"),
        line("qb2", "QUICKBACK", "2024-05-20", "2024-07-01", "80"),
        # TRIAL: README rule 2: a trial from Jan 5 and a paid line of 50 from Mar 10.
        line("tr1", "TRIAL", "2024-01-05", "2024-03-10", "0"),
        line("tr2", "TRIAL", "2024-03-10", "2024-05-01", "50"),
        line("to1", "TRIALONLY", "2024-01-05", None, "0"),
        # FREEAFTER: a free plan that follows a paid one does not keep the account paying.
        line("fa1", "FREEAFTER", "2024-01-01", "2024-04-01", "60"),
        line("fa2", "FREEAFTER", "2024-04-01", None, "0", product="free"),
        # PRODUCTS: per-product churn and return are contraction and expansion for the account.
        line("pr1", "PRODUCTS", "2024-01-15", "2024-12-01", "100"),
        line("pr2", "PRODUCTS", "2024-03-01", "2024-06-01", "40", product="api"),
        line("pr3", "PRODUCTS", "2024-09-01", "2024-12-01", "45", product="api"),
        # FX (base USD; rates below): converted once at the latest rate on or before start_date.
        line("fx1", "FX1", "2024-01-15", "2024-05-01", "100", currency="EUR"),
        line("fx2", "FX1", "2024-03-14", "2024-05-01", "100", currency="EUR", product="addon"),
        line("fx3", "FX2", "2024-02-20", "2024-04-01", "33.3333", currency="EUR"),
        line("fx4", "FX3", "2024-01-10", "2024-03-01", "10.0001", currency="GBP"),
        line("fx5", "FX4", "2024-03-15", "2024-04-01", "200", currency="EUR"),
        line("fx6", "FX4", "2024-03-01", "2024-04-01", "50", product="addon"),
    ]


FX_RATES = [
    {"currency": "EUR", "date": "2023-12-01", "rate_to_base": "1.0800"},
    {"currency": "EUR", "date": "2024-02-01", "rate_to_base": "1.1000"},
    {"currency": "EUR", "date": "2024-03-15", "rate_to_base": "1.2000"},
    {"currency": "EUR", "date": "2024-04-01", "rate_to_base": "1.3000"},
    {"currency": "GBP", "date": "2024-02-01", "rate_to_base": "1.2500"},
    {"currency": "GBP", "date": "2024-06-01", "rate_to_base": "1.5000"},
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory, workspace_builder):
    workspace = workspace_builder(tmp_path_factory.mktemp("movements"), subscriptions=scenario_lines(),
                                  fx_rates=FX_RATES)
    yield workspace
    workspace.close()


def run_movements(ws, *, by=revenue.ACCOUNT, window=None, as_of=AS_OF):
    mrr = revenue.month_end_mrr(paying_lines(ws, as_of=as_of), as_of=as_of, by=by)
    frame = ws.warehouse.execute(revenue.movements(mrr, as_of=as_of, by=by, reactivation_window_months=window))
    return frame.sort_values([*by, "month"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def moves(ws):
    return run_movements(ws)


@pytest.fixture(scope="module")
def product_moves(ws):
    return run_movements(ws, by=revenue.ACCOUNT_PRODUCT)


def history(frame, account, product=None):
    """An entity's movements as {month label: (movement, change, mrr_end)}."""
    part = frame[frame.account_id == account]
    if product is not None:
        part = part[part["product"] == product]
    assert part.month.is_unique
    return {label(int(r.month)): (r.movement, r.change, r.mrr_end) for r in part.itertuples()}


def test_a_line_starting_mid_month_is_paying_at_that_month_end(moves):
    # MIDSTART 100 from 2024-01-15 (Jan 31 ≥ Jan 15) to 2024-04-01 (Mar 31 < Apr 1, Apr 30 is not):
    # Jan new +100, Feb and Mar flat at 100, Apr churn −100; nothing before January.
    assert history(moves, "MIDSTART") == {
        "2024-01": row("new", "100", "100"), **flat("2024-02", "2024-03", "100"),
        "2024-04": row("churn", "-100", "0"),
    }
    # README: 100 from 2024-01-15 with end 2024-03-01 is in Jan 31 and Feb 29, not Mar 31.
    assert history(moves, "README") == {
        "2024-01": row("new", "100", "100"), "2024-02": row("flat", "0", "100"),
        "2024-03": row("churn", "-100", "0"),
    }


def test_a_line_ending_mid_month_churns_in_that_month(moves):
    # MIDEND 100 from 2023-11-10 to 2024-03-15: snapshots Nov 30 … Feb 29; Mar 31 ≥ Mar 15 is out,
    # so March is churn −100 (change = −start) and nothing follows.
    assert history(moves, "MIDEND") == {
        "2023-11": row("new", "100", "100"), **flat("2023-12", "2024-02", "100"),
        "2024-03": row("churn", "-100", "0"),
    }


def test_end_date_is_exclusive_at_the_month_end(moves):
    # ENDONME 70 from 2023-12-05 to 2024-01-31: Jan 31 < Jan 31 is false → churn in January.
    assert history(moves, "ENDONME") == {"2023-12": row("new", "70", "70"), "2024-01": row("churn", "-70", "0")}
    # ENDAFTER ends 2024-02-01: Jan 31 < Feb 1 → still paying in January, churn in February.
    assert history(moves, "ENDAFTER") == {
        "2023-12": row("new", "70", "70"), "2024-01": row("flat", "0", "70"), "2024-02": row("churn", "-70", "0"),
    }


def test_a_line_inside_one_month_never_shows(ws, moves):
    # SAMEMONTH: 2024-02-03 → 2024-02-20 and 2024-02-01 → 2024-02-29 (exclusive) are in no snapshot:
    # no MRR row, no movement at all (rule 4).
    assert history(moves, "SAMEMONTH") == {}
    mrr = ws.warehouse.execute(revenue.month_end_mrr(paying_lines(ws, as_of=AS_OF), as_of=AS_OF))
    assert "SAMEMONTH" not in set(mrr.account_id)
    # SAMEPAYING 100 from Jan 1 to Apr 1 with a 40 add-on inside February: February stays flat at 100.
    assert history(moves, "SAMEPAYING") == {
        "2024-01": row("new", "100", "100"), **flat("2024-02", "2024-03", "100"),
        "2024-04": row("churn", "-100", "0"),
    }


def test_several_lines_of_an_account_are_summed(moves):
    # SEVERAL: core 100 (Jan 10 → Jul 1), add-on 40 (Jan 20 → May 20), seats 10.1 (Feb 15 → Apr 1),
    # seats 20.2 (Mar 1 → Apr 1).
    # Jan 31: 100 + 40 = 140                      → new +140
    # Feb 29: 140 + 10.1 = 150.1                  → expansion +10.1
    # Mar 31: 150.1 + 20.2 = 170.3                → expansion +20.2
    # Apr 30: both seat lines ended Apr 1 → 140   → contraction −30.3 (exact, no float residue)
    # May 31: add-on ended May 20 → 100           → contraction −40 (README rule 3)
    # Jun 30: 100                                 → flat
    # Jul 31: core ended Jul 1 → 0                → churn −100
    assert history(moves, "SEVERAL") == {
        "2024-01": row("new", "140", "140"),
        "2024-02": row("expansion", "10.1", "150.1"),
        "2024-03": row("expansion", "20.2", "170.3"),
        "2024-04": row("contraction", "-30.3", "140"),
        "2024-05": row("contraction", "-40", "100"),
        "2024-06": row("flat", "0", "100"),
        "2024-07": row("churn", "-100", "0"),
    }


def test_a_line_replaced_within_a_month_at_the_same_price_is_flat(moves):
    # REPLACED: 100 until 2024-04-10, then 100 from 2024-04-25: Apr 30 sees the new line → flat.
    # The second line ends 2024-06-01 → churn in June.
    assert history(moves, "REPLACED") == {
        "2024-01": row("new", "100", "100"), **flat("2024-02", "2024-05", "100"),
        "2024-06": row("churn", "-100", "0"),
    }


def test_upgrade_and_downgrade_in_one_month_net_out(moves, product_moves):
    # UPDOWN core: 200 → 250 (Mar 10) → 270 (Jun 5) → 220 (Sep 1) → ends Nov 1.
    #        analytics: 100 → 80 (Mar 5) → 60 (Jun 12) → 70 (Sep 1) → ends Nov 1.
    # Account: Oct 2023 300 new; Mar 250+80 = 330 expansion +30 (= +50 − 20, rule 5);
    # Jun 270+60 = 330: +20 − 20 → flat, change 0; Sep 220+70 = 290: −50 + 10 → contraction −40;
    # Nov churn −290.
    assert history(moves, "UPDOWN") == {
        "2023-10": row("new", "300", "300"), **flat("2023-11", "2024-02", "300"),
        "2024-03": row("expansion", "30", "330"), **flat("2024-04", "2024-08", "330"),
        "2024-09": row("contraction", "-40", "290"), "2024-10": row("flat", "0", "290"),
        "2024-11": row("churn", "-290", "0"),
    }
    # Per product every change shows.
    assert history(product_moves, "UPDOWN", "core") == {
        "2023-10": row("new", "200", "200"), **flat("2023-11", "2024-02", "200"),
        "2024-03": row("expansion", "50", "250"), **flat("2024-04", "2024-05", "250"),
        "2024-06": row("expansion", "20", "270"), **flat("2024-07", "2024-08", "270"),
        "2024-09": row("contraction", "-50", "220"), "2024-10": row("flat", "0", "220"),
        "2024-11": row("churn", "-220", "0"),
    }
    assert history(product_moves, "UPDOWN", "analytics") == {
        "2023-10": row("new", "100", "100"), **flat("2023-11", "2024-02", "100"),
        "2024-03": row("contraction", "-20", "80"), **flat("2024-04", "2024-05", "80"),
        "2024-06": row("contraction", "-20", "60"), **flat("2024-07", "2024-08", "60"),
        "2024-09": row("expansion", "10", "70"), "2024-10": row("flat", "0", "70"),
        "2024-11": row("churn", "-70", "0"),
    }


REACT_BEFORE = {
    "2023-06": row("new", "100", "100"), **flat("2023-07", "2024-02", "100"),
    "2024-03": row("churn", "-100", "0"),
}


@pytest.mark.parametrize(("window", "kind"), [(None, "reactivation"), (10, "reactivation"), (12, "reactivation"),
                                              (9, "new"), (6, "new")])
def test_reactivation_and_its_window(ws, window, kind):
    # REACT: last paying 2024-02, churn month 2024-03, back 2025-01-10 at 120: 10 months after the
    # churn month → reactivation with no window or a window ≥ 10, new with a window < 10.
    # Feb 2025 flat, the line ends 2025-03-01 → churn −120 in March.
    frame = run_movements(ws, window=window)
    assert history(frame, "REACT") == {
        **REACT_BEFORE, "2025-01": row(kind, "120", "120"), "2025-02": row("flat", "0", "120"),
        "2025-03": row("churn", "-120", "0"),
    }


@pytest.mark.parametrize(("window", "kind"), [(None, "reactivation"), (2, "reactivation"), (1, "new"),
                                              (0, "new")])
def test_a_quick_return_after_churn(ws, window, kind):
    # QUICKBACK: 80 Jan–Feb 2024, churn March; back 2024-05-20 → May is 2 months after the churn
    # month: reactivation unless the window is shorter than 2 months. Jun flat, Jul churn.
    frame = run_movements(ws, window=window)
    assert history(frame, "QUICKBACK") == {
        "2024-01": row("new", "80", "80"), "2024-02": row("flat", "0", "80"), "2024-03": row("churn", "-80", "0"),
        "2024-05": row(kind, "80", "80"), "2024-06": row("flat", "0", "80"), "2024-07": row("churn", "-80", "0"),
    }


def test_the_configured_reactivation_window_reaches_the_bridge(tmp_path, workspace_builder):
    # Only REACT's lines, in a workspace with revenue.reactivation_window_months: 6.
    # Bridge for 2025-01 (as of 2025-01-31): start 0, the return of 120 counts as new → ARR +1440.
    lines = [r for r in scenario_lines() if r["account_id"] == "REACT"]
    ws = workspace_builder(tmp_path, subscriptions=lines, config={"revenue": {"reactivation_window_months": 6}})
    try:
        summary = revenue_summary(ws, as_of=dt.date(2025, 1, 31), periods=1)
    finally:
        ws.close()
    bridge = summary.bridge.to_dict("records")
    assert bridge == [{"period": "2025-01", "arr_start": 0.0, "new": 1440.0, "expansion": 0.0, "contraction": 0.0,
                       "churn": 0.0, "reactivation": 0.0, "arr_end": 1440.0}]


def test_mrr_zero_lines_never_make_an_account_paying(moves):
    # TRIAL: trial (mrr 0) from 2024-01-05, paid 50 from 2024-03-10 → Jan and Feb nothing,
    # March new +50 (not reactivation: never paid before), April flat, May churn (ends May 1).
    assert history(moves, "TRIAL") == {
        "2024-03": row("new", "50", "50"), "2024-04": row("flat", "0", "50"), "2024-05": row("churn", "-50", "0"),
    }
    # A trial and nothing else: never paying, no movement.
    assert history(moves, "TRIALONLY") == {}
    # FREEAFTER: paid 60 Jan–Mar, a free plan from Apr 1 (still open): MRR 0 in April → churn −60.
    assert history(moves, "FREEAFTER") == {
        "2024-01": row("new", "60", "60"), **flat("2024-02", "2024-03", "60"), "2024-04": row("churn", "-60", "0"),
    }


def test_movements_per_product(moves, product_moves):
    # PRODUCTS: core 100 (2024-01-15 → 2024-12-01), api 40 (2024-03-01 → 2024-06-01),
    # api 45 (2024-09-01 → 2024-12-01).
    # Account: Jan new 100; Mar +40 = 140 expansion; Jun api gone → 100 contraction −40;
    # Sep api back → 145 expansion +45; Dec both ended → churn −145.
    assert history(moves, "PRODUCTS") == {
        "2024-01": row("new", "100", "100"), "2024-02": row("flat", "0", "100"),
        "2024-03": row("expansion", "40", "140"), **flat("2024-04", "2024-05", "140"),
        "2024-06": row("contraction", "-40", "100"), **flat("2024-07", "2024-08", "100"),
        "2024-09": row("expansion", "45", "145"), **flat("2024-10", "2024-11", "145"),
        "2024-12": row("churn", "-145", "0"),
    }
    # (PRODUCTS, core): new in Jan, flat through Nov, churn in Dec.
    assert history(product_moves, "PRODUCTS", "core") == {
        "2024-01": row("new", "100", "100"), **flat("2024-02", "2024-11", "100"),
        "2024-12": row("churn", "-100", "0"),
    }
    # (PRODUCTS, api): new in Mar, churn in Jun, reactivation +45 in Sep, churn in Dec.
    assert history(product_moves, "PRODUCTS", "api") == {
        "2024-03": row("new", "40", "40"), **flat("2024-04", "2024-05", "40"),
        "2024-06": row("churn", "-40", "0"),
        "2024-09": row("reactivation", "45", "45"), **flat("2024-10", "2024-11", "45"),
        "2024-12": row("churn", "-45", "0"),
    }


def test_foreign_lines_are_converted_once_at_the_rate_on_or_before_their_start(ws):
    # EUR rates: 2023-12-01 1.08, 2024-02-01 1.10, 2024-03-15 1.20, 2024-04-01 1.30;
    # GBP rates: 2024-02-01 1.25, 2024-06-01 1.50.
    # fx1 EUR 100 from 2024-01-15      → rate of 2023-12-01: 100 × 1.08 = 108.0000
    # fx2 EUR 100 from 2024-03-14      → rate of 2024-02-01 (not the nearer 03-15): 110.0000
    # fx3 EUR 33.3333 from 2024-02-20  → 33.3333 × 1.10 = 36.66663 → 36.6666 (4 decimals)
    # fx4 GBP 10.0001 from 2024-01-10  → before every GBP rate: the earliest, 1.25: 12.500125 → 12.5001
    # fx5 EUR 200 from 2024-03-15      → the rate dated on its start day: 200 × 1.20 = 240.0000
    # fx6 USD 50                        → already in the base currency: 50
    lines = ws.warehouse.execute(paying_lines(ws, as_of=AS_OF))
    converted = dict(zip(lines.subscription_id, lines.mrr, strict=True))
    expected = {"fx1": "108", "fx2": "110", "fx3": "36.6666", "fx4": "12.5001", "fx5": "240", "fx6": "50"}
    assert {k: converted[k] for k in expected} == {k: Decimal(v) for k, v in expected.items()}
    assert all(c == "USD" or s.startswith("fx") for s, c in zip(lines.subscription_id, lines.currency, strict=True))


def test_fx_swings_never_show_as_expansion_or_contraction(moves):
    # FX1: 108 from January, +110 in March (218); EUR goes to 1.30 on 2024-04-01 but April is flat.
    assert history(moves, "FX1") == {
        "2024-01": row("new", "108", "108"), "2024-02": row("flat", "0", "108"),
        "2024-03": row("expansion", "110", "218"), "2024-04": row("flat", "0", "218"),
        "2024-05": row("churn", "-218", "0"),
    }
    assert history(moves, "FX2") == {
        "2024-02": row("new", "36.6666", "36.6666"), "2024-03": row("flat", "0", "36.6666"),
        "2024-04": row("churn", "-36.6666", "0"),
    }
    # GBP moves to 1.50 on 2024-06-01 (after the line ended); the line is worth 12.5001 throughout.
    assert history(moves, "FX3") == {
        "2024-01": row("new", "12.5001", "12.5001"), "2024-02": row("flat", "0", "12.5001"),
        "2024-03": row("churn", "-12.5001", "0"),
    }
    # FX4: 240 (EUR) + 50 (USD) in March, both end Apr 1.
    assert history(moves, "FX4") == {"2024-03": row("new", "290", "290"), "2024-04": row("churn", "-290", "0")}


def test_lines_starting_after_as_of_are_not_known(ws):
    # As of 2024-03-14, fx2 (starting that day) is known; fx5 and the ones after are not.
    known = set(ws.warehouse.execute(paying_lines(ws, as_of=dt.date(2024, 3, 14))).subscription_id)
    assert "fx2" in known and "fx5" not in known
    assert "re2" not in known and "pr3" not in known
    # Movements as of 2024-03-14 stop at the last month-end, 2024-02-29: PRODUCTS is new, flat in Feb.
    frame = run_movements(ws, as_of=dt.date(2024, 3, 14))
    assert frame.month.max() == index("2024-02")
    assert history(frame, "PRODUCTS") == {"2024-01": row("new", "100", "100"), "2024-02": row("flat", "0", "100")}


def test_every_movement_type_appears_with_the_change_its_name_says(moves, product_moves):
    for frame in (moves, product_moves):
        assert set(frame.movement) == MOVEMENT_TYPES
        assert (frame.mrr_start + frame.change == frame.mrr_end).all()
        zero = Decimal(0)
        for r in frame.itertuples():
            expected = {
                "new": r.mrr_start == zero and r.mrr_end > zero,
                "reactivation": r.mrr_start == zero and r.mrr_end > zero,
                "expansion": zero < r.mrr_start < r.mrr_end,
                "contraction": zero < r.mrr_end < r.mrr_start,
                "churn": r.mrr_start > zero and r.mrr_end == zero and r.change == -r.mrr_start,
                "flat": r.mrr_start == r.mrr_end > zero and r.change == zero,
            }[r.movement]
            assert expected, r


def test_monthly_bridge_sums_the_movements(ws):
    # March 2024 for SEVERAL (150.1 → 170.3, +20.2) and UPDOWN (300 → 330, +30):
    # start 450.1, expansion 50.2, end 500.3, no other movement.
    mrr = revenue.month_end_mrr(paying_lines(ws, as_of=AS_OF), as_of=AS_OF)
    mrr = mrr.filter(mrr.account_id.isin(["SEVERAL", "UPDOWN"]))
    bridge = ws.warehouse.execute(revenue.monthly_bridge(revenue.movements(mrr, as_of=AS_OF)))
    march = bridge[bridge.month == index("2024-03")].iloc[0]
    assert {k: march[k] for k in ("mrr_start", *revenue.MOVEMENTS, "mrr_end")} == {
        "mrr_start": Decimal("450.1"), "new": 0, "expansion": Decimal("50.2"), "contraction": 0, "churn": 0,
        "reactivation": 0, "mrr_end": Decimal("500.3"),
    }
    # April: SEVERAL −30.3 (contraction), UPDOWN flat: 500.3 → 470.0.
    april = bridge[bridge.month == index("2024-04")].iloc[0]
    assert (april.mrr_start, april.contraction, april.mrr_end) == (Decimal("500.3"), Decimal("-30.3"), Decimal("470"))
