"""CSM compensation: attainment and payout per person and component, from the results of their book.

Each person whose team role has a plan (`compensation.plans.<role>`) is paid on their own book
— the accounts they owned at the period start (`book_results`), so moves during the period
cannot game it. For every component of the plan, over a period of m months:

* actual: the book's grr, nrr, logo_retention (fractions) or expansion_arr (money);
* target: the component's yearly `target` if set, else the book's cascaded yearly target
  (`targets`); grr/nrr/logo_retention compound to target^(m/12); expansion_arr is a share
  of the book's starting ARR, so its target is arr_start × share × m/12. The threshold
  converts the same way;
* attainment = actual ÷ target;
* payout rate: 0 below the threshold; the attainment from threshold to target; above target
  1 + (attainment − 1) × accelerator; never above the cap;
* payout = on_target_earnings × variable_share × m/12 × weight × rate.

A person's target variable is on_target_earnings × variable_share × m/12; their payout % is
payout ÷ target variable. The plan's cost for the period is the sum of payouts; its cost per
retained dollar divides it by the ARR the paid books retained (the GRR numerator).

What-if: `apply_overrides(plans, ["grr.accelerator=3", "variable_share=0.3"])` changes plan
parameters (validated as the config is) so that the cost difference can be shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from tenure.errors import ConfigError, TenureError
from tenure.operating.config import Component, CompPlan

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.operating.periods import Period

PLAN_KEYS = ("on_target_earnings", "variable_share")
COMPONENT_KEYS = ("weight", "target", "threshold", "accelerator", "cap")
CASCADED = {"grr": "grr_target_yearly", "nrr": "nrr_target_yearly", "expansion_arr": "expansion_target_yearly"}


@dataclass(frozen=True)
class Line:
    """One component of one person's pay for the period."""

    metric: str
    weight: float
    actual: float | None
    target: float | None
    threshold: float | None
    attainment: float | None
    rate: float
    payout: float


@dataclass
class Pay:
    """One person's variable pay for the period."""

    person_id: str
    name: str | None
    role: str
    accounts: int
    arr_start: float
    arr_retained: float
    target_variable: float
    lines: list[Line] = field(default_factory=list)
    note: str | None = None

    @property
    def payout(self) -> float:
        return round(sum(line.payout for line in self.lines), 2)

    @property
    def payout_pct(self) -> float:
        """Payout ÷ target variable (1.0 = paid exactly on target)."""
        return self.payout / self.target_variable if self.target_variable else 0.0


def payout_rate(actual: float, target: float, *, threshold: float, accelerator: float, cap: float
                ) -> tuple[float, float]:
    """(attainment, payout rate) of an actual against a positive target, as the module docstring defines."""
    if target <= 0:
        raise ValueError(f"a target must be positive, not {target}")
    attainment = actual / target
    if actual < threshold:
        rate = 0.0
    elif attainment <= 1:
        rate = attainment
    else:
        rate = 1 + (attainment - 1) * accelerator
    return attainment, min(rate, cap)


def component_goal(component: Component, book: Mapping[str, float], period: Period, *, role: str
                   ) -> tuple[float, float]:
    """The component's (target, threshold) for the period, in the units of its actual."""
    fraction = period.months / 12
    yearly = component.target
    if yearly is None:
        yearly = float(book[CASCADED[component.metric]])
    if component.metric == "expansion_arr":
        arr = float(book["arr_start"])
        if yearly <= 0:
            raise ConfigError(f"compensation.plans.{role}: the expansion_arr component's cascaded target is 0 "
                              "(targets.expansion); give the component a yearly `target` share")
        return arr * yearly * fraction, arr * component.threshold * fraction
    return yearly ** fraction, component.threshold ** fraction


def pay_person(person: Mapping[str, object], plan: CompPlan, book: Mapping[str, float] | None, period: Period) -> Pay:
    """One person's pay on one plan. `book` is their row of `results_against_targets(by=["owner"])`;
    None when they held no account at the period start (nothing to measure, nothing paid)."""
    fraction = period.months / 12
    role = str(person["role"])
    target_variable = plan.on_target_earnings * plan.variable_share * fraction
    pay = Pay(person_id=str(person["person_id"]), name=_text(person.get("name")), role=role,
              accounts=int(book["accounts_start"]) if book else 0,
              arr_start=float(book["arr_start"]) if book else 0.0,
              arr_retained=float(book["arr_retained"]) if book else 0.0,
              target_variable=round(target_variable, 2))
    if book is None:
        pay.note = "no book at the period start"
        pay.lines = [Line(c.metric, c.weight, None, None, None, None, 0.0, 0.0) for c in plan.components]
        return pay
    for c in plan.components:
        actual = float(book[c.metric])
        target, threshold = component_goal(c, book, period, role=role)
        attainment, rate = payout_rate(actual, target, threshold=threshold, accelerator=c.accelerator, cap=c.cap)
        payout = round(target_variable * c.weight * rate, 2)
        pay.lines.append(Line(c.metric, c.weight, actual, target, threshold, attainment, rate, payout))
    return pay


def pay_all(people: Sequence[Mapping[str, object]], plans: Mapping[str, CompPlan],
            books: Mapping[str, Mapping[str, float]], period: Period) -> list[Pay]:
    """Pay for every person whose role has a plan; `books` maps person_id to their book's results."""
    return [pay_person(p, plans[str(p["role"])], books.get(str(p["person_id"])), period)
            for p in people if str(p["role"]) in plans]


def summary(pays: Sequence[Pay]) -> dict[str, float | int | None]:
    """The plan's cost for the period against the ARR the paid books retained."""
    cost = round(sum(p.payout for p in pays), 2)
    retained = round(sum(p.arr_retained for p in pays), 2)
    target = round(sum(p.target_variable for p in pays), 2)
    return {"people": len(pays), "target_variable": target, "plan_cost": cost,
            "payout_pct": cost / target if target else None, "arr_retained": retained,
            "cost_per_retained_dollar": cost / retained if retained else None}


def people_on_plans(team: ir.Table, roles: Sequence[str], period: Period) -> ir.Table:
    """Team members with a plan's role who were on the team during the period (hired by its end,
    not gone before its start): person_id, name, role."""
    t = team.filter(team.role.isin(list(roles)))
    if "hired_at" in t.columns:
        t = t.filter(t.hired_at.isnull() | (t.hired_at <= period.end))
    if "left_at" in t.columns:
        t = t.filter(t.left_at.isnull() | (t.left_at >= period.start))
    name = t.name.cast("string") if "name" in t.columns else t.person_id.cast("string")
    return t.select(person_id=t.person_id.cast("string"), name=name, role=t.role.cast("string")).order_by("person_id")


def apply_overrides(plans: Mapping[str, CompPlan], settings: Sequence[str]) -> dict[str, CompPlan]:
    """Plans with `KEY=VALUE` overrides applied, each validated as tenure.yaml is.

    KEY is `on_target_earnings`, `variable_share`, or `<metric>.<field>` (field: weight,
    target, threshold, accelerator, cap), optionally prefixed by a role (`csm.grr.cap=2`);
    without a role it applies to every plan that has the key. `target=none` clears a target.
    """
    raw = {role: plan.model_dump() for role, plan in plans.items()}
    for setting in settings:
        key, sep, value = setting.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise TenureError(f"--set {setting!r}: write KEY=VALUE, e.g. grr.accelerator=3 or variable_share=0.3")
        parts = key.split(".")
        roles = list(raw)
        if len(parts) > 1 and parts[0] in raw:
            roles, parts = [parts[0]], parts[1:]
        touched = [role for role in roles if _set(raw[role], parts, value, setting)]
        if not touched:
            raise TenureError(f"--set {setting!r}: no plan has {'.'.join(parts)!r}; " + _known(raw))
    out = {}
    for role, data in raw.items():
        try:
            out[role] = CompPlan.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'plan'}: "
                                 f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
            raise TenureError(f"--set {', '.join(settings)} makes plan {role!r} invalid: {problems}") from None
    return out


def _set(plan: dict, parts: list[str], value: str, setting: str) -> bool:
    """Apply one override to a dumped plan; False when the plan has no such key."""
    if len(parts) == 1 and parts[0] in PLAN_KEYS:
        plan[parts[0]] = _number(value, setting)
        return True
    if len(parts) == 2 and parts[1] in COMPONENT_KEYS:
        for component in plan["components"]:
            if component["metric"] == parts[0]:
                clear = parts[1] == "target" and value.lower() in ("", "none", "null")
                component[parts[1]] = None if clear else _number(value, setting)
                return True
        return False
    raise TenureError(f"--set {setting!r}: unknown key; " + _known({"plan": plan}))


def _known(raw: Mapping[str, dict]) -> str:
    metrics = sorted({c["metric"] for plan in raw.values() for c in plan["components"]})
    return (f"keys are {', '.join(PLAN_KEYS)} or METRIC.FIELD with METRIC one of {', '.join(metrics)} "
            f"and FIELD one of {', '.join(COMPONENT_KEYS)}")


def _number(value: str, setting: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise TenureError(f"--set {setting!r}: {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise TenureError(f"--set {setting!r}: {value!r} is not a finite number")
    return number


def _text(value: object) -> str | None:
    return None if value is None or value != value else str(value)
