"""The capacity and headcount plan: the CSMs each segment needs per quarter, and the hires that provide them.

Definitions (the README's "Capacity and headcount plan" works an example through):

* Starting point: the book at `as_of` by segment and motion. A segment's *effort per account* is its
  accounts' motion hours a month averaged over its motion mix; its *dedicated share* is the share of
  its accounts on dedicated motions. The mix is held through the plan: new logos arrive in it.
* Accounts at the end of a quarter = accounts at its start × (1 − quarterly logo churn) + new logos,
  with quarterly rate = 1 − (1 − yearly rate)^(1/4). ARR is the plan's ARR for the quarter.
* CSMs needed (full-time equivalents) = the largest of
  effort hours a month ÷ (hours a month of a CSM × target utilisation),
  dedicated accounts ÷ accounts_per_csm, and ARR ÷ arr_per_csm
  (a ratio the segment does not configure is left out). The largest is the *binding* constraint.
  A CSM's hours a month = the segment's CSMs' average `team.capacity_hours` (hours a week; empty:
  `coverage.capacity_hours`) × 52/12; a segment with no CSMs yet takes `coverage.capacity_hours`.
* Headcount: CSMs leave at the quarterly attrition rate 1 − (1 − attrition_per_year)^(1/4), applied to
  everyone on the team during the quarter (an expectation, so fractional). Hires join at the start of the
  quarter and count as ramp_productivity of a CSM for ramp_quarters quarters; a CSM already on the team
  is still ramping in a quarter that starts less than ramp_quarters × 3 months after their hired_at.
  Hires in a quarter = the fewest whole people that bring the effective CSMs at the quarter's end
  (after its expected attrition) up to the CSMs needed. Nobody is let go when fewer are needed.
* A what-if (`Scenario`) serves whole segments with another motion, or changes their ratios, and the
  plan is computed again; `compare` shows the CSMs freed (or needed) and the accounts and ARR each
  needed CSM covers, so "serve 40% more accounts with the same headcount" is
  base CSMs needed ÷ what-if CSMs needed − 1.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from tenure.errors import ConfigError, TenureError
from tenure.operating.config import WEEKS_PER_MONTH, Capacity, Coverage, Engagement, Motion, Ratio

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
CONSTRAINTS = ("effort", "accounts", "arr")
RATIO_KEYS = ("accounts_per_csm", "arr_per_csm")
TOTAL = "Total"
TOLERANCE = 1e-6  # CSMs: a shortfall smaller than this is rounding, not a hire


def quarter_index(label: str) -> int:
    """`2026Q1` → 2026 × 4 + 0 (calendar quarters); ValueError when the label is not a quarter."""
    match = QUARTER.match(label.strip().upper())
    if match is None:
        raise ValueError(f"{label!r} is not a quarter like 2026Q1")
    return int(match[1]) * 4 + int(match[2]) - 1


def quarter_label(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_start(index: int) -> dt.date:
    return dt.date(index // 4, index % 4 * 3 + 1, 1)


def first_plan_quarter(as_of: dt.date) -> int:
    """The plan starts in the quarter of the day after `as_of` (2025-12-31 → 2026Q1)."""
    day = as_of + dt.timedelta(days=1)
    return day.year * 4 + (day.month - 1) // 3


def per_quarter(per_year: float) -> float:
    """A yearly rate as the quarterly rate that compounds to it: 1 − (1 − r)^(1/4)."""
    return 1 - (1 - per_year) ** 0.25


def ramped_from(hired_at: dt.date | None, ramp_quarters: int) -> int | None:
    """Index of the first quarter a CSM hired on `hired_at` counts in full (None: always has).

    A CSM ramps until `ramp_quarters` × 3 months after joining; the first quarter starting on or after
    that day is their first full one.
    """
    if hired_at is None or ramp_quarters == 0:
        return None
    year, month = divmod(hired_at.month - 1 + 3 * ramp_quarters, 12)
    year += hired_at.year
    ramped = dt.date(year, month + 1, min(hired_at.day, calendar.monthrange(year, month + 1)[1]))
    index = ramped.year * 4 + (ramped.month - 1) // 3
    return index if quarter_start(index) == ramped else index + 1


@dataclass(frozen=True)
class Scenario:
    """A what-if: whole segments served by another motion, or other coverage ratios for them."""

    motions: Mapping[str, str] = field(default_factory=dict)
    ratios: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def is_base(self) -> bool:
        return not self.motions and not self.ratios

    def describe(self) -> str:
        parts = [f"{segment} → {motion}" for segment, motion in self.motions.items()]
        parts += [f"{segment} {key} {value:,g}" for segment, changes in self.ratios.items()
                  for key, value in changes.items()]
        return "; ".join(parts) or "base"

    def check(self, *, engagement: Engagement, segments: Sequence[str] | None) -> None:
        """Every segment is planned (unless `segments` is None), every motion configured, every ratio valid."""
        problems = []
        for segment in [*self.motions, *self.ratios]:
            if segments is not None and segment not in segments:
                problems.append(f"segment {segment!r} is not in the plan (segments: {', '.join(segments)})")
        for segment, motion in self.motions.items():
            if motion not in engagement.motions:
                problems.append(f"{segment}: unknown motion {motion!r} (engagement.motions: "
                                f"{', '.join(engagement.motions)})")
        for segment, changes in self.ratios.items():
            for key, value in changes.items():
                if key not in RATIO_KEYS:
                    problems.append(f"{segment}: unknown ratio {key!r} (ratios: {', '.join(RATIO_KEYS)})")
                elif not value > 0 or (key == "accounts_per_csm" and value < 1):
                    least = "at least 1" if key == "accounts_per_csm" else "above 0"
                    problems.append(f"{segment}: {key} must be {least}, not {value:g}")
        if problems:
            raise TenureError("what-if: " + "; ".join(dict.fromkeys(problems)))


@dataclass(frozen=True)
class PlanInputs:
    """Everything the plan is computed from; small frames, no connection.

    `mix`: segment, motion, accounts, arr (the book at `as_of`). `csms`: person_id, segment,
    capacity_hours (a week, filled), hired_at (a date or None) of the CSMs on the team at `as_of`.
    `plan`: quarter (label), segment, arr, new_logos, quarters consecutive from `first_quarter` for
    every segment. `logo_churn`: yearly logo churn per segment of the plan.
    """

    first_quarter: int
    mix: pd.DataFrame
    csms: pd.DataFrame
    plan: pd.DataFrame
    logo_churn: Mapping[str, float]
    capacity: Capacity
    coverage: Coverage
    engagement: Engagement

    @property
    def segments(self) -> list[str]:
        return list(dict.fromkeys(self.plan["segment"]))


@dataclass(frozen=True)
class CapacityPlan:
    """A computed plan: `profile` (per segment at the start), `quarters` (per quarter × segment),
    `hiring` (per segment and in total over the plan)."""

    scenario: Scenario
    profile: pd.DataFrame
    quarters: pd.DataFrame
    hiring: pd.DataFrame


def _motion(engagement: Engagement, name: str) -> Motion:
    if name not in engagement.motions:
        raise ConfigError(f"tenure.yaml: key 'engagement.motions': the book uses motion {name!r}, which is not "
                          f"configured (motions: {', '.join(engagement.motions)})")
    return engagement.motions[name]


def _ratio(coverage: Coverage, scenario: Scenario, segment: str) -> Ratio:
    configured = coverage.ratios.get(segment, Ratio())
    return configured.model_copy(update=dict(scenario.ratios.get(segment, {})))


def segment_profile(inputs: PlanInputs, scenario: Scenario) -> pd.DataFrame:
    """Per segment at the start: accounts, ARR, effort, effort per account, dedicated share, CSMs, ratios.

    A segment the what-if moves to a motion has all its accounts on it. A segment with no accounts
    yet takes the effort and dedication of its default motion (the matrix cell of no band).
    """
    mix, engagement = inputs.mix, inputs.engagement
    rows = []
    for segment in inputs.segments:
        part = mix[mix["segment"] == segment]
        accounts, arr = float(part["accounts"].sum()), float(part["arr"].sum())
        counts = ({scenario.motions[segment]: accounts} if segment in scenario.motions
                  else dict(zip(part["motion"], part["accounts"].astype(float), strict=True)))
        effort = sum(n * _motion(engagement, m).hours_per_month for m, n in counts.items())
        dedicated = sum(n for m, n in counts.items() if _motion(engagement, m).dedicated)
        if accounts > 0:
            per_account, share = effort / accounts, dedicated / accounts
        else:
            spec = _motion(engagement, scenario.motions.get(segment) or engagement.motion_of(segment, None))
            per_account, share = spec.hours_per_month, float(spec.dedicated)
        team = inputs.csms[inputs.csms["segment"] == segment]
        week = float(team["capacity_hours"].mean()) if len(team) else inputs.coverage.capacity_hours
        if week <= 0:
            raise TenureError(f"team: the CSMs of segment {segment!r} have capacity_hours 0, so no effort fits; "
                              "give them their hours a week (or leave it empty for coverage.capacity_hours)")
        ratio = _ratio(inputs.coverage, scenario, segment)
        rows.append({
            "segment": segment, "accounts": accounts, "arr": arr, "effort_hours": effort,
            "effort_per_account": per_account, "dedicated_accounts": dedicated, "dedicated_share": share,
            "csms": len(team), "hours_per_csm": week * WEEKS_PER_MONTH, "accounts_per_csm": ratio.accounts_per_csm,
            "arr_per_csm": ratio.arr_per_csm, "logo_churn_per_year": float(inputs.logo_churn[segment]),
        })
    return pd.DataFrame(rows)


def _given(ratio: float | None) -> bool:
    """A configured ratio: not empty (None, or NaN once it has been through a frame) and above 0."""
    return ratio is not None and not math.isnan(ratio) and ratio > 0


def csms_needed(*, effort_hours: float, dedicated_accounts: float, arr: float, hours_per_csm: float,
                target_utilisation: float, accounts_per_csm: float | None,
                arr_per_csm: float | None) -> tuple[float, str, dict[str, float]]:
    """CSMs needed by each constraint, the largest and its name (ties go to the first of CONSTRAINTS)."""
    need = {"effort": effort_hours / (hours_per_csm * target_utilisation)}
    if _given(accounts_per_csm):
        need["accounts"] = dedicated_accounts / accounts_per_csm
    if _given(arr_per_csm):
        need["arr"] = arr / arr_per_csm
    binding = max(need, key=need.__getitem__)
    return need[binding], binding, need


def _segment_quarters(profile: Mapping, plan: pd.DataFrame, hired: Sequence[dt.date | None],
                      capacity: Capacity) -> list[dict]:
    """One segment through the plan's quarters: accounts, CSMs needed, hires, headcount."""
    churn, leave = per_quarter(profile["logo_churn_per_year"]), per_quarter(capacity.attrition_per_year)
    ramp, productivity = capacity.ramp_quarters, capacity.ramp_productivity
    team = [[1.0, ramped_from(day, ramp)] for day in hired]  # [expected people, first full quarter]
    accounts = profile["accounts"]
    rows = []
    for label, arr, new in zip(plan["quarter"], plan["arr"].astype(float), plan["new_logos"].astype(float),
                               strict=True):
        q = quarter_index(label)

        def weight(full: int | None, q: int = q) -> float:
            return 1.0 if full is None or q >= full else productivity

        lost = accounts * churn
        accounts = accounts - lost + new
        effort = accounts * profile["effort_per_account"]
        dedicated = accounts * profile["dedicated_share"]
        needed, binding, need = csms_needed(
            effort_hours=effort, dedicated_accounts=dedicated, arr=arr, hours_per_csm=profile["hours_per_csm"],
            target_utilisation=capacity.target_utilisation, accounts_per_csm=profile["accounts_per_csm"],
            arr_per_csm=profile["arr_per_csm"])
        carried = sum(n * (1 - leave) * weight(full) for n, full in team)
        unit = (1 - leave) * weight(q + ramp if ramp else None)
        hires = max(0, math.ceil((needed - carried) / unit - TOLERANCE))
        if hires:
            team.append([float(hires), q + ramp if ramp else None])
        at_start = sum(n for n, _ in team)
        for member in team:
            member[0] *= 1 - leave
        headcount = at_start * (1 - leave)
        effective = carried + hires * unit
        hours = effective * profile["hours_per_csm"]
        rows.append({
            "quarter": label, "segment": profile["segment"], "accounts": accounts, "new_logos": new,
            "logos_lost": lost, "arr": arr, "dedicated_accounts": dedicated, "effort_hours": effort,
            "csms_by_effort": need["effort"], "csms_by_accounts": need.get("accounts"),
            "csms_by_arr": need.get("arr"), "csms_needed": needed, "binding": binding, "hires": hires,
            "leavers": at_start * leave, "headcount": headcount,
            "ramping": sum(n for n, full in team if full is not None and q < full), "effective_csms": effective,
            "capacity_hours": hours, "utilisation": effort / hours if hours > 0 else None,
            "arr_per_csm": arr / headcount if headcount > 0 else None,
            "accounts_per_csm": accounts / headcount if headcount > 0 else None,
        })
    return rows


def plan_capacity(inputs: PlanInputs, scenario: Scenario | None = None) -> CapacityPlan:
    """The plan for every segment and quarter of `inputs.plan`, under `scenario` (default: the base)."""
    scenario = scenario or Scenario()
    scenario.check(engagement=inputs.engagement, segments=inputs.segments)
    profile = segment_profile(inputs, scenario)
    rows = []
    for record in profile.to_dict(orient="records"):
        segment = record["segment"]
        plan = inputs.plan[inputs.plan["segment"] == segment]
        team = inputs.csms[inputs.csms["segment"] == segment]
        hired = [None if pd.isna(day) else pd.Timestamp(day).date() for day in team["hired_at"]]
        rows += _segment_quarters(record, plan, hired, inputs.capacity)
    rank = {segment: i for i, segment in enumerate(inputs.segments)}
    rows.sort(key=lambda row: (quarter_index(row["quarter"]), rank[row["segment"]]))
    quarters = pd.DataFrame(rows)
    return CapacityPlan(scenario, profile, quarters, _hiring(profile, quarters))


def _per(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _hiring(profile: pd.DataFrame, quarters: pd.DataFrame) -> pd.DataFrame:
    """Per segment and in total: CSMs now, hires, expected leavers, headcount and load at the end."""
    last = quarters["quarter"].iloc[-1]
    rows = []
    for record in profile.to_dict(orient="records"):
        mine = quarters[quarters["segment"] == record["segment"]]
        end = mine[mine["quarter"] == last].iloc[0]
        rows.append({"segment": record["segment"], "csms_now": float(record["csms"]),
                     "hires": int(mine["hires"].sum()), "leavers": float(mine["leavers"].sum()),
                     "headcount_end": float(end["headcount"]), "csms_needed_end": float(end["csms_needed"]),
                     "effective_csms_end": float(end["effective_csms"]), "binding_end": end["binding"],
                     "accounts_now": record["accounts"], "accounts_end": float(end["accounts"]),
                     "arr_now": record["arr"], "arr_end": float(end["arr"])})
    total = {"segment": TOTAL, "binding_end": None}
    for key in rows[0]:
        if key not in total:
            total[key] = sum(row[key] for row in rows)
    table = pd.DataFrame([*rows, total])
    for when, people in (("now", "csms_now"), ("end", "headcount_end")):
        table[f"arr_per_csm_{when}"] = [_per(a, n) for a, n in zip(table[f"arr_{when}"], table[people], strict=True)]
        table[f"accounts_per_csm_{when}"] = [_per(a, n) for a, n in
                                             zip(table[f"accounts_{when}"], table[people], strict=True)]
    return table


def _with_totals(quarters: pd.DataFrame) -> pd.DataFrame:
    sums = ["accounts", "arr", "csms_needed", "hires", "headcount"]
    totals = quarters.groupby("quarter", sort=False)[sums].sum().reset_index().assign(segment=TOTAL, binding=None)
    both = pd.concat([quarters[["quarter", "segment", *sums, "binding"]], totals], ignore_index=True)
    order = {label: i for i, label in enumerate(dict.fromkeys(quarters["quarter"]))}
    return both.sort_values("quarter", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def compare(base: CapacityPlan, what_if: CapacityPlan) -> pd.DataFrame:
    """Per quarter and segment (and in total): CSMs needed, hires and headcount in the base and the what-if.

    `csms_freed` = base CSMs needed − what-if CSMs needed (negative: more are needed). The accounts and
    ARR per CSM are per CSM *needed*, so they measure the operating model rather than the hiring
    rounding; `more_accounts_per_csm` = base needed ÷ what-if needed − 1 is how many more accounts
    (and ARR) the same headcount serves.
    """
    left, right = _with_totals(base.quarters), _with_totals(what_if.quarters)
    rows = []
    for (_, b), (_, w) in zip(left.iterrows(), right.iterrows(), strict=True):
        rows.append({
            "quarter": b["quarter"], "segment": b["segment"], "accounts": w["accounts"], "arr": w["arr"],
            "base_csms_needed": b["csms_needed"], "csms_needed": w["csms_needed"],
            "csms_freed": b["csms_needed"] - w["csms_needed"], "base_binding": b["binding"],
            "binding": w["binding"], "base_hires": int(b["hires"]), "hires": int(w["hires"]),
            "base_headcount": b["headcount"], "headcount": w["headcount"],
            "base_accounts_per_csm_needed": _per(b["accounts"], b["csms_needed"]),
            "accounts_per_csm_needed": _per(w["accounts"], w["csms_needed"]),
            "base_arr_per_csm_needed": _per(b["arr"], b["csms_needed"]),
            "arr_per_csm_needed": _per(w["arr"], w["csms_needed"]),
            "more_accounts_per_csm": (b["csms_needed"] / w["csms_needed"] - 1) if w["csms_needed"] > 0 else None,
        })
    return pd.DataFrame(rows)


def growth_plan(start_arr: Mapping[str, float], new_logos: Mapping[str, float], *, growth: float, quarters: int,
                first_quarter: int) -> pd.DataFrame:
    """Every segment's ARR grown by `growth` over `quarters`, compounded evenly, with steady new logos.

    ARR after k quarters = ARR now × (1 + growth)^(k / quarters); new logos each quarter = the
    segment's `new_logos` rate.
    """
    if not growth > -1:
        raise TenureError(f"--arr-growth must be above -1 (a share: 0.30 is +30%), not {growth:g}")
    if quarters < 1:
        raise TenureError(f"--quarters must be at least 1, not {quarters}")
    rows = [{"quarter": quarter_label(first_quarter + k - 1), "segment": segment,
             "arr": arr * (1 + growth) ** (k / quarters), "new_logos": float(new_logos.get(segment, 0.0))}
            for segment, arr in start_arr.items() for k in range(1, quarters + 1)]
    return pd.DataFrame(rows, columns=["quarter", "segment", "arr", "new_logos"])


def digital_motion(engagement: Engagement) -> str:
    """The motion `--digital` means: the one named `digital`, else the only motion without a named CSM."""
    if "digital" in engagement.motions:
        return "digital"
    scaled = [name for name, spec in engagement.motions.items() if not spec.dedicated]
    if len(scaled) == 1:
        return scaled[0]
    raise ConfigError("tenure.yaml: key 'engagement.motions': --digital needs a motion named 'digital' or exactly "
                      f"one motion with `dedicated: false` (found: {', '.join(scaled) or 'none'}); "
                      "use --motion SEGMENT=MOTION")
