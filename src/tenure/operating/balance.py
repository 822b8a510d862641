"""Book balancing: owner reassignments that even out the effort load of the CSMs of each segment.

Definitions, as implemented:

- A CSM's **utilisation** is the effort of the accounts they own (the motions' hours a month)
  ÷ their monthly capacity, `team.capacity_hours` (hours a week; `coverage.capacity_hours`
  when empty) × 52/12 — the same figure `tenure coverage` shows.
- The CSMs **on record** at a date have role `csm`, were hired by then (or have no hire date)
  and have not left. A CSM's `segment` is their specialisation: an account may only go to a
  CSM of its segment; a CSM with no segment may take any account.
- A segment's **pool** is the CSMs who may take its accounts: its specialists and the CSMs with
  no segment (who are in every pool, with their whole load). When no CSM has a segment there is
  one pool, "(any)". The **spread** of a pool is its highest utilisation − its lowest.
- The proposal minimises the sum of the pools' spreads plus `move_penalty` per account moved
  (so that of equally balanced books the one with fewer moves wins), subject to: at most
  `max_moves` accounts move in all; no account renewing within `freeze_days` days
  (days_to_renewal ≤ freeze_days) moves; an account moves only to a CSM of its pool. Accounts
  whose owner is not a CSM on record are reported with the reason and never moved.

It is a mixed-integer linear programme solved with SciPy's `milp` (HiGHS). Why it stays small
at 100,000 accounts:

- Accounts of the same owner, segment and effort are interchangeable for the balance, so the
  model does not choose accounts: it decides how many of each such class leave their owner
  (an integer bounded by the class's size and by `max_moves`) and how many accounts of each
  segment and effort each receiver takes, with every account that leaves arriving somewhere.
  Any giver may hand an account of a segment to any receiver of that segment's pool, so which
  giver's account goes to which receiver changes no load and is settled afterwards (highest
  giver to lowest receiver). The variables number the givers' classes plus receivers × kinds
  of account — a few thousand at 700 CSMs — however many accounts there are. A class's
  accounts are taken in a stated order: the latest renewal first (the new CSM has most time
  before it), then the smallest ARR, then the account id.
- Only a CSM above the mean utilisation of a pool they are in may give, and only one below
  (and above none) may receive. This is a restriction, not a theorem: it leaves out moves
  between two CSMs on the same side of the mean, which seldom lower a spread, and it keeps
  the model from shuffling load it need not. Of each pool only the `max_moves` highest givers
  and lowest receivers take part: a pool's highest utilisation falls only if every CSM above
  the new highest gives, so with `max_moves` moves no giver beyond the first `max_moves` can
  help, and likewise for receivers. A giver offers at most `CLASSES_PER_DONOR` classes.
- HiGHS stops after `time_limit` seconds with the best solution found, and says so.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ibis

from tenure.errors import NotFound, TenureError
from tenure.operating.config import WEEKS_PER_MONTH
from tenure.operating.coverage import active_people

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

ANY = "(any)"  # the pool of the CSMs with no segment
CLASSES_PER_DONOR = 25
BOOK_COLUMNS = ("account_id", "name", "segment", "owner", "effort_hours", "arr", "days_to_renewal")
TOLERANCE = 1e-9

MOVE_COLUMNS = ["account_id", "name", "segment", "from_owner", "to_owner", "effort_hours", "arr",
                "days_to_renewal", "reason"]
POOL_COLUMNS = ["segment", "csms", "accounts", "effort_hours", "mean_before", "mean_after", "spread_before",
                "spread_after", "std_before", "std_after", "max_before", "max_after", "min_before", "min_after",
                "moves"]
CSM_COLUMNS = ["person_id", "name", "segment", "capacity_hours", "accounts_before", "accounts_after",
               "effort_before", "effort_after", "utilisation_before", "utilisation_after"]
UNOWNED_COLUMNS = ["account_id", "name", "segment", "owner", "effort_hours", "arr", "days_to_renewal", "reason"]


@dataclass
class BalancePlan:
    """A proposal: the moves, each pool's and CSM's load before and after, and what could not be balanced."""

    moves: pd.DataFrame
    segments: pd.DataFrame
    csms: pd.DataFrame
    unowned: pd.DataFrame
    status: str
    max_moves: int
    freeze_days: int
    variables: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def spread_before(self) -> float:
        return float(self.segments["spread_before"].sum())

    @property
    def spread_after(self) -> float:
        return float(self.segments["spread_after"].sum())


def csms_on_record(team: ir.Table, *, as_of: dt.date, default_capacity: float) -> ir.Table:
    """The CSMs on staff at `as_of`: person_id, name, segment (empty: any), capacity_hours (a week) and
    monthly_capacity (hours a month, the denominator of utilisation)."""
    csms = active_people(team, as_of)

    def text(column: str) -> ir.StringValue:
        if column not in csms.columns:
            return ibis.null("string")
        return csms[column].cast("string").strip().nullif("")

    capacity = csms.capacity_hours.cast("float64") if "capacity_hours" in csms.columns else ibis.null("float64")
    capacity = ibis.coalesce(capacity, default_capacity)
    return csms.select(person_id=csms.person_id.cast("string"), name=text("name"), segment=text("segment"),
                       capacity_hours=capacity, monthly_capacity=capacity * WEEKS_PER_MONTH).order_by("person_id")


def propose_moves(book: pd.DataFrame, csms: pd.DataFrame, *, max_moves: int, freeze_days: int,
                  segment: str | None = None, team: pd.DataFrame | None = None, as_of: dt.date | None = None,
                  move_penalty: float = 0.001, time_limit: float = 30.0) -> BalancePlan:
    """Owner reassignments that minimise the spread of utilisation in each pool (module docstring).

    `book` has BOOK_COLUMNS (one row per account, `owner` the effective owner); `csms` has
    person_id, name, segment, capacity_hours and monthly_capacity (`csms_on_record`). With
    `segment`, only accounts of that segment move and only the pools they may move within are
    reported. `team` (the whole team table) and `as_of` only serve to say why an owner is not a
    CSM on record. `time_limit` bounds the solver's seconds; `move_penalty` is in utilisation
    (0.001: a move must lower the summed spread by more than 0.1 point).
    """
    if max_moves < 0:
        raise TenureError(f"max_moves must be 0 or more, not {max_moves}")
    if freeze_days < 0:
        raise TenureError(f"freeze_days must be 0 or more, not {freeze_days}")
    missing = [c for c in BOOK_COLUMNS if c not in book.columns]
    if missing:
        raise TenureError(f"the book lacks the column(s) {', '.join(missing)}")
    if csms.empty:
        raise NotFound("no CSM on record: book balancing needs the team table with people of role csm "
                       "who have not left")
    bad = csms[~(csms["monthly_capacity"].astype(float) > 0)]
    if not bad.empty:
        row = bad.iloc[0]
        value = row["capacity_hours"].item() if hasattr(row["capacity_hours"], "item") else row["capacity_hours"]
        raise TenureError(f"team: CSM {row['person_id']} has capacity_hours {value!r}; "
                          "a CSM's capacity must be above 0")
    book = book.loc[:, list(BOOK_COLUMNS)].copy()
    book["effort_hours"] = book["effort_hours"].astype(float).fillna(0.0)
    book["arr"] = book["arr"].astype(float)
    segments_in_book = set(book["segment"].dropna())
    if segment is not None and segment not in segments_in_book:
        raise NotFound(f"no account of segment {segment!r} in the book; segments: "
                       f"{', '.join(sorted(segments_in_book)) or 'none'}")

    people = _Pools(csms, book)
    notes = _notes(people, book, segments_in_book)
    unowned = _unowned(book, people.index, team, as_of)
    owned = book[book["owner"].isin(people.index)]
    if segment is not None:
        owned = owned[owned["segment"] == segment]
    frozen = owned["days_to_renewal"].notna() & (owned["days_to_renewal"] <= freeze_days)
    movable = owned[~frozen & (owned["effort_hours"] > 0)]

    started = time.perf_counter()
    status, variables, moved = _solve(people, movable, max_moves=max_moves, move_penalty=move_penalty,
                                      time_limit=time_limit)
    seconds = time.perf_counter() - started
    moves = _moves_frame(moved, people)
    after = book.set_index("account_id")["owner"].copy()
    if not moves.empty:
        after.loc[moves["account_id"].to_numpy()] = moves["to_owner"].to_numpy()
    pools = _pool_frame(people, after, book, moves, segment=segment)
    csm_frame = _csm_frame(people, after, book, pools["segment"].tolist())
    frozen_count = int(frozen.sum())
    if frozen_count:
        notes.append(f"{frozen_count:,} account(s) renewing within {freeze_days} days stay with their owner")
    return BalancePlan(moves=moves, segments=pools, csms=csm_frame, unowned=unowned, status=status,
                       max_moves=max_moves, freeze_days=freeze_days, variables=variables, seconds=seconds,
                       notes=notes)


class _Pools:
    """The CSMs on record, the pools they belong to and their load before any move."""

    def __init__(self, csms: pd.DataFrame, book: pd.DataFrame):
        csms = csms.drop_duplicates("person_id").copy()
        named = csms["segment"].notna() & (csms["segment"].astype("string").str.strip() != "")
        csms["home"] = csms["segment"].where(named, ANY)
        self.frame = csms.set_index("person_id")
        self.index = set(self.frame.index)
        owned = book[book["owner"].isin(self.index)]
        self.load = owned.groupby("owner")["effort_hours"].sum().reindex(self.frame.index, fill_value=0.0)
        self.utilisation = self.load / self.frame["monthly_capacity"].astype(float)
        home = self.frame["home"]
        self.generalists = list(home.index[home == ANY])
        specialised = sorted(set(home) - {ANY})
        self.members: dict[str, list[str]] = (
            {s: list(home.index[home == s]) + self.generalists for s in specialised} if specialised
            else {ANY: self.generalists})
        self.mean = {p: float(self.utilisation[m].mean()) for p, m in self.members.items()}

    def pools_of(self, person: str) -> list[str]:
        home = self.frame.at[person, "home"]
        return list(self.members) if home == ANY else [home]

    def may_take(self, segment: str) -> list[str]:
        """The CSMs an account of `segment` may go to: its specialists and the CSMs with no segment."""
        return self.members.get(segment, self.generalists)

    def capacity(self, person: str) -> float:
        return float(self.frame.at[person, "monthly_capacity"])

    def above(self, person: str) -> bool:
        u = self.utilisation[person]
        return any(u > self.mean[p] + TOLERANCE for p in self.pools_of(person))

    def below(self, person: str) -> bool:
        u = self.utilisation[person]
        return not self.above(person) and any(u < self.mean[p] - TOLERANCE for p in self.pools_of(person))

    def candidates(self, limit: int) -> tuple[set[str], list[str]]:
        """Who may give (above a pool's mean) and who may receive (below, lowest first): per pool, the `limit`
        furthest from the mean, since no more can take part in `limit` moves."""
        givers, receivers = set(), set()
        by_u = sorted(self.frame.index, key=lambda p: (self.utilisation[p], p))
        for members in self.members.values():
            inside = set(members)
            ranked = [p for p in by_u if p in inside]
            givers |= set([p for p in reversed(ranked) if self.above(p)][:limit])
            receivers |= set([p for p in ranked if self.below(p)][:limit])
        return givers, sorted(receivers, key=lambda p: (self.utilisation[p], p))

    def home_pool(self, person: str) -> str:
        """The pool named in a move's reason: the CSM's segment, else the first pool they are in."""
        return self.pools_of(person)[0]


def _solve(people: _Pools, movable: pd.DataFrame, *, max_moves: int, move_penalty: float, time_limit: float):
    """Build and solve the MILP; returns (status, number of variables, [(account row, to_owner)])."""
    import numpy as np

    if max_moves == 0:
        return "no move allowed (max_moves is 0)", 0, []
    givers, receivers = people.candidates(max_moves)
    classes = _classes(movable[movable["owner"].isin(givers)], max_moves)
    kinds = sorted({(seg, effort) for _owner, seg, effort, _accounts in classes})
    takers = {(seg, effort): [r for r in receivers if r in set(people.may_take(seg))] for seg, effort in kinds}
    classes = [c for c in classes if takers[(c[1], c[2])]]
    inflows = [(r, kind) for kind in kinds if any((c[1], c[2]) == kind for c in classes) for r in takers[kind]]
    if not classes:
        why = "already balanced" if not givers else "no movable account can go to a CSM below their pool's mean"
        return f"no move: {why}", 0, []

    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    touched = {c[0] for c in classes} | {r for r, _kind in inflows}
    pools = sorted({p for person in touched for p in people.pools_of(person)})
    n_out, n_in, g = len(classes), len(inflows), len(pools)
    n = n_out + n_in
    upper = {pool: n + i for i, pool in enumerate(pools)}  # U: the pool's highest utilisation
    lower = {pool: n + g + i for i, pool in enumerate(pools)}  # W: its lowest
    cost = np.concatenate([np.full(n_out, move_penalty), np.zeros(n_in), np.ones(g), -np.ones(g)])
    var_lo = np.concatenate([np.zeros(n + g), np.full(g, -np.inf)])
    var_hi = np.concatenate([[len(c[3]) for c in classes], np.full(n_in, max_moves),
                             np.full(2 * g, np.inf)])
    for pool in pools:
        fixed = [float(people.utilisation[p]) for p in people.members[pool] if p not in touched]
        if fixed:
            var_lo[upper[pool]] = max(fixed)
            var_hi[lower[pool]] = min(fixed)

    effects = defaultdict(list)  # person -> [(variable, change of their utilisation per account)]
    flows = defaultdict(list)  # kind -> [(variable, +1 out / -1 in)]
    for j, (owner, seg, effort, _accounts) in enumerate(classes):
        effects[owner].append((j, -effort / people.capacity(owner)))
        flows[(seg, effort)].append((j, 1.0))
    for i, (receiver, kind) in enumerate(inflows):
        effects[receiver].append((n_out + i, kind[1] / people.capacity(receiver)))
        flows[kind].append((n_out + i, -1.0))
    rows, cols, vals, lo, hi = [], [], [], [], []

    def row(entries, low, high):
        for col, val in entries:
            rows.append(len(lo))
            cols.append(col)
            vals.append(val)
        lo.append(low)
        hi.append(high)

    for person in sorted(touched):
        u0 = float(people.utilisation[person])
        for pool in people.pools_of(person):
            row(effects[person] + [(upper[pool], -1.0)], -np.inf, -u0)  # u(person) ≤ U
            row([(j, -v) for j, v in effects[person]] + [(lower[pool], 1.0)], -np.inf, u0)  # W ≤ u(person)
    for kind in sorted(flows):
        row(flows[kind], 0.0, 0.0)  # every account that leaves a giver reaches a receiver
    row([(j, 1.0) for j in range(n_out)], 0, max_moves)
    matrix = coo_array((vals, (rows, cols)), shape=(len(lo), n + 2 * g)).tocsr()
    integrality = np.concatenate([np.ones(n), np.zeros(2 * g)])
    result = milp(cost, integrality=integrality, bounds=Bounds(var_lo, var_hi),
                  constraints=LinearConstraint(matrix, lo, hi), options={"time_limit": time_limit})
    if result.x is None:
        return f"no move: the solver found no solution in time ({result.message})", n, []
    status = "optimal" if result.status == 0 else f"best found in the time limit ({time_limit:g} s)"
    counts = np.rint(result.x[:n]).astype(int)
    leaving, slots = defaultdict(list), defaultdict(list)
    for j in sorted(range(n_out), key=lambda j: (-people.utilisation[classes[j][0]], classes[j][0])):
        owner, seg, effort, accounts = classes[j]
        leaving[(seg, effort)] += [accounts.iloc[i] for i in range(counts[j])]
    for i, (receiver, kind) in enumerate(inflows):  # receivers are in order of utilisation, lowest first
        slots[kind] += [receiver] * counts[n_out + i]
    moved = []
    for kind, accounts in leaving.items():
        if len(accounts) != len(slots[kind]):
            raise TenureError(f"book balancing: the solver's flows do not balance for {kind} ({result.message})")
        moved += list(zip(accounts, slots[kind], strict=True))
    if not moved and result.status == 0:
        status = "no move: none lowers the spread by more than the move penalty (solver: optimal)"
    return status, n, moved


def _classes(candidates: pd.DataFrame, limit: int) -> list[tuple[str, str, float, pd.DataFrame]]:
    """(owner, segment, effort, accounts in the order they are taken) for each class of interchangeable accounts.

    A class keeps its first `limit` accounts (no more can move); an owner offers at most CLASSES_PER_DONOR
    classes, the largest first.
    """
    if candidates.empty:
        return []
    ordered = candidates.assign(_effort=candidates["effort_hours"].round(6)).sort_values(
        ["owner", "segment", "_effort", "days_to_renewal", "arr", "account_id"],
        ascending=[True, True, False, False, True, True], kind="stable")
    keys = ["owner", "segment", "_effort"]
    ordered = ordered[ordered.groupby(keys, sort=False).cumcount() < limit].drop(columns="_effort")
    found = ordered.assign(_effort=ordered["effort_hours"].round(6)).groupby(keys, sort=False).indices
    per_owner = defaultdict(list)
    for (owner, seg, effort), positions in found.items():
        per_owner[owner].append((seg, float(effort), positions))
    out = []
    for owner in sorted(per_owner):
        groups = sorted(per_owner[owner], key=lambda item: (-len(item[2]), -item[1], item[0]))
        out += [(owner, seg, effort, ordered.iloc[positions]) for seg, effort, positions in groups[:CLASSES_PER_DONOR]]
    return out


def _moves_frame(moved, people: _Pools) -> pd.DataFrame:
    import pandas as pd

    if not moved:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    load = people.load.copy()
    for account, receiver in moved:
        load[account["owner"]] -= account["effort_hours"]
        load[receiver] += account["effort_hours"]
    after = load / people.frame["monthly_capacity"].astype(float)
    rows = []
    for account, receiver in moved:
        giver = account["owner"]
        reason = (f"{giver} {people.utilisation[giver]:.0%} → {after[giver]:.0%}, "
                  f"{receiver} {people.utilisation[receiver]:.0%} → {after[receiver]:.0%} of capacity "
                  f"({people.home_pool(giver)} mean {people.mean[people.home_pool(giver)]:.0%})")
        rows.append({"account_id": account["account_id"], "name": account["name"], "segment": account["segment"],
                     "from_owner": giver, "to_owner": receiver, "effort_hours": float(account["effort_hours"]),
                     "arr": float(account["arr"]), "days_to_renewal": account["days_to_renewal"], "reason": reason})
    frame = pd.DataFrame(rows, columns=MOVE_COLUMNS)
    return frame.sort_values(["segment", "from_owner", "to_owner", "effort_hours", "account_id"],
                             ascending=[True, True, True, False, True], kind="stable").reset_index(drop=True)


def _utilisation(people: _Pools, owners: pd.Series, book: pd.DataFrame):
    effort = book.set_index("account_id")["effort_hours"]
    frame = effort.to_frame().assign(owner=owners)
    frame = frame[frame["owner"].isin(people.index)]
    load = frame.groupby("owner")["effort_hours"].sum().reindex(people.frame.index, fill_value=0.0)
    accounts = frame.groupby("owner").size().reindex(people.frame.index, fill_value=0)
    return load, accounts, load / people.frame["monthly_capacity"].astype(float)


def _pool_frame(people: _Pools, after: pd.Series, book: pd.DataFrame, moves: pd.DataFrame, *,
                segment: str | None) -> pd.DataFrame:
    import pandas as pd

    before_owner = book.set_index("account_id")["owner"]
    load_b, acc_b, u_before = _utilisation(people, before_owner, book)
    _load_a, _acc_a, u_after = _utilisation(people, after, book)
    rows = []
    for pool in _shown_pools(people, segment):
        members = people.members[pool]
        touching = moves["from_owner"].isin(members) | moves["to_owner"].isin(members)
        ub, ua = u_before[members], u_after[members]
        rows.append({"segment": pool, "csms": len(members), "accounts": int(acc_b[members].sum()),
                     "effort_hours": float(load_b[members].sum()), "mean_before": float(ub.mean()),
                     "mean_after": float(ua.mean()),
                     "spread_before": float(ub.max() - ub.min()), "spread_after": float(ua.max() - ua.min()),
                     "std_before": float(ub.std(ddof=0)), "std_after": float(ua.std(ddof=0)),
                     "max_before": float(ub.max()), "max_after": float(ua.max()),
                     "min_before": float(ub.min()), "min_after": float(ua.min()),
                     "moves": int(touching.sum())})
    return pd.DataFrame(rows, columns=POOL_COLUMNS)


def _shown_pools(people: _Pools, segment: str | None) -> list[str]:
    """The pools a proposal reports: all, or with `segment` the pools its accounts may move within."""
    if segment is None or segment not in people.members and people.generalists:
        return list(people.members)
    return [segment] if segment in people.members else []


def _csm_frame(people: _Pools, after: pd.Series, book: pd.DataFrame, pools: list[str]) -> pd.DataFrame:
    import pandas as pd

    before_owner = book.set_index("account_id")["owner"]
    load_b, acc_b, u_b = _utilisation(people, before_owner, book)
    load_a, acc_a, u_a = _utilisation(people, after, book)
    frame = people.frame
    shown = {p for pool in pools for p in people.members[pool]}
    rows = [{"person_id": p, "name": frame.at[p, "name"], "segment": frame.at[p, "home"],
             "capacity_hours": float(frame.at[p, "capacity_hours"]), "accounts_before": int(acc_b[p]),
             "accounts_after": int(acc_a[p]), "effort_before": float(load_b[p]), "effort_after": float(load_a[p]),
             "utilisation_before": float(u_b[p]), "utilisation_after": float(u_a[p])}
            for p in frame.index if p in shown]
    out = pd.DataFrame(rows, columns=CSM_COLUMNS)
    return out.sort_values(["segment", "utilisation_before", "person_id"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def _unowned(book: pd.DataFrame, on_record: set[str], team: pd.DataFrame | None,
             as_of: dt.date | None) -> pd.DataFrame:
    """The accounts whose owner is not a CSM on record, with why: they are reported, never moved."""
    import pandas as pd

    rows = book[~book["owner"].isin(on_record)]
    people = team.drop_duplicates("person_id").set_index("person_id") if team is not None else None
    reasons = [_why_not_csm(owner, people, as_of) for owner in rows["owner"]]
    out = rows.assign(reason=reasons).loc[:, UNOWNED_COLUMNS]
    return out.sort_values(["arr", "account_id"], ascending=[False, True], kind="stable").reset_index(drop=True) \
        if not out.empty else pd.DataFrame(columns=UNOWNED_COLUMNS)


def _why_not_csm(owner, people: pd.DataFrame | None, as_of: dt.date | None) -> str:
    import pandas as pd

    if owner is None or pd.isna(owner) or owner == "":
        return "no owner"
    if people is None or owner not in people.index:
        return f"owner {owner} is not in the team table"
    person = people.loc[owner]
    role = person.get("role")
    if role != "csm":
        return f"owner {owner} has role {role}, not csm"
    left, hired = person.get("left_at"), person.get("hired_at")
    if as_of is not None and left is not None and not pd.isna(left) and pd.Timestamp(left).date() <= as_of:
        return f"owner {owner} left on {pd.Timestamp(left).date()}"
    if as_of is not None and hired is not None and not pd.isna(hired) and pd.Timestamp(hired).date() > as_of:
        return f"owner {owner} starts on {pd.Timestamp(hired).date()}"
    return f"owner {owner} is not a CSM on record"


def _notes(people: _Pools, book: pd.DataFrame, segments_in_book: set[str]) -> list[str]:
    notes = []
    for pool, members in people.members.items():
        if pool != ANY and pool not in segments_in_book:
            specialists = [p for p in members if p not in people.generalists]
            notes.append(f"CSMs of segment {pool!r} ({', '.join(specialists)}) can take no account: "
                         f"no account is of that segment")
    owned = book[book["owner"].isin(people.index)]
    homes = owned["owner"].map(people.frame["home"])
    elsewhere = int(((homes != ANY) & (homes != owned["segment"])).sum())
    if elsewhere:
        notes.append(f"{elsewhere:,} account(s) are owned by a CSM of another segment; they may move to a CSM "
                     "of their own segment")
    without = sorted(s for s in segments_in_book if not people.may_take(s))
    if without:
        notes.append(f"no CSM on record may take accounts of {', '.join(without)} (no CSM of that segment, none "
                     "without a segment): they stay where they are")
    return notes
