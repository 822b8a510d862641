"""The director dashboard: ARR, GRR and NRR against target, the bridge, churn, cohorts, health and the forecast.

The figures are company-wide (`tenure.web.dashboard_figures`), built once per data version with
their charts; the page and `GET /api/v1/dashboard` show the same numbers. A user without the
`company` permission (a CSM, a sales user) who opens `/` is sent to their book instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from tenure.web.access import Principal
from tenure.web.dashboard_figures import Dashboard, dashboard
from tenure.web.deps import allow, state
from tenure.web.pages import chart_svg, render
from tenure.web.paging import records
from tenure.web.state import AppState

router = APIRouter()


def figures(request: Request) -> Dashboard:
    return figures_of(state(request))


def figures_of(app: AppState) -> Dashboard:
    """The dashboard's figures, computed once per data version."""
    as_of = app.as_of()
    return app.cached(("dashboard", as_of), lambda: dashboard(app.ws, as_of=as_of))


def charts(request: Request, found: Dashboard) -> dict:
    """The dashboard's charts as inline SVG, drawn once per data version."""
    return state(request).cached(("dashboard charts", found.as_of), lambda: draw(found))


def draw(found: Dashboard) -> dict:
    from tenure.charts.dashboard import accounts_by_band, arr_by_period
    from tenure.charts.health import arr_by_band
    from tenure.charts.revenue import arr_bridge, churn_comparison, cohort_heatmap, forecast_band, rate_trend

    drawn = {}
    quarters = found.quarters
    measured = quarters.dropna(subset=["grr"])
    if quarters["arr_end"].notna().any():
        drawn["arr"] = chart_svg(arr_by_period(quarters.dropna(subset=["arr_end"])))
    if not measured.empty:
        for rate in ("grr", "nrr"):
            lines = measured.assign(series="company").rename(columns={rate: "rate", f"{rate}_target": "target"})
            drawn[rate] = chart_svg(rate_trend(lines[["period", "series", "rate", "target"]], rate=rate.upper()))
        drawn["churn"] = chart_svg(churn_comparison(measured))
    if found.bridge_period is not None:
        drawn["bridge"] = chart_svg(arr_bridge(found.bridge))
    if not found.cohorts.empty:
        drawn["cohorts"] = chart_svg(cohort_heatmap(found.cohorts, value="revenue_retention"))
    if found.bands is not None:
        drawn["band_arr"] = chart_svg(arr_by_band(found.bands))
        drawn["band_accounts"] = chart_svg(accounts_by_band(found.bands))
    if found.forecast is not None:
        ahead = found.forecast[found.forecast["window"] == "quarter"]
        for rate in ("grr", "nrr"):
            band = ahead.rename(columns={rate: "forecast", f"{rate}_low": "low", f"{rate}_high": "high",
                                         f"{rate}_target": "target"})
            drawn[f"forecast_{rate}"] = chart_svg(forecast_band(band, rate=rate.upper()))
    return drawn


@router.get("/", include_in_schema=False)
def dashboard_page(request: Request, principal: Principal = Depends(allow("accounts"))):
    if not principal.can("company"):
        return RedirectResponse("/book", status_code=303)
    found = figures(request)
    return render(request, "dashboard.html", principal, d=record(found), charts=charts(request, found))


@router.get("/api/v1/dashboard", tags=["dashboard"])
def dashboard_api(request: Request, principal: Principal = Depends(allow("company"))) -> dict:
    """The director dashboard's figures at the app's date (the latest `tenure run`).

    `headline`: ARR at the last closed month-end, paying accounts, GRR, NRR, logo and dollar churn
    over the trailing window with the yearly targets. `quarters`: the last eight closed quarters,
    each measured on its starting book against the yearly targets compounded to a quarter, with
    logo and dollar churn and the ARR at its end. `bridge`: the last quarter's ARR bridge (start,
    signed movements, end). `cohorts`: revenue and logo retention of the recent start quarters by
    age. `bands`: accounts and ARR per health band; `at_risk_arr` the lowest band's ARR.
    `forecast`: GRR and NRR of today's book per coming quarter and over the year with 80%
    intervals and targets, or null with `forecast_note` saying why.
    """
    return record(figures(request))


def record(found: Dashboard) -> dict:
    """The figures as JSON-safe values (missing as None): what the API returns and the page shows."""
    return {
        "as_of": found.as_of, "currency": found.currency, "headline": found.headline,
        "quarters": records(found.quarters), "bridge_period": found.bridge_period, "bridge": records(found.bridge),
        "cohorts": records(found.cohorts), "bands": records(found.bands) if found.bands is not None else None,
        "at_risk_arr": found.at_risk_arr,
        "forecast": records(found.forecast) if found.forecast is not None else None,
        "model_version": found.model_version, "forecast_note": found.forecast_note,
    }
