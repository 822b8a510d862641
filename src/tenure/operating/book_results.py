"""Book results for a period: what each book of business kept, grew and lost (engine expressions).

A *book* is the set of accounts an owner (a CSM), a manager's team, a segment or the company
held at the **period start**: the accounts paying at the end of the day before the period
(`Period.book_date`, the month-end snapshot that opens a GRR window), each with its
effective owner then — the loaded `owner_csm_id`, overridden by reassignments made in tenure
*before* the period start. Accounts never move between books because of later moves, so a
reassignment during the period cannot game anyone's results: a CSM keeps the accounts they
started the period with, good and bad.

Definitions (the window of DESIGN.md's GRR/NRR is the period):

* `arr_start`: ARR at the book date. `arr_end`: ARR at the period end (or at `as_of` while the
  period is running; `measured_to` says which), 0 for an account no longer paying.
* GRR = Σ min(arr_end, arr_start) ÷ Σ arr_start (`arr_retained` is its numerator);
  NRR = Σ arr_end ÷ Σ arr_start. New and reactivated accounts are in no book of the period.
* Logo retention = accounts of the book still paying at the end ÷ accounts at the start.
* Expansion ARR = Σ max(arr_end − arr_start, 0) (so arr_end = arr_retained + expansion_arr);
  contraction ARR = Σ max(arr_start − arr_end, 0) over accounts still paying; churned ARR =
  Σ arr_start of accounts no longer paying (so arr_start = arr_retained + contraction + churned).
* Renewals due: accounts of the book whose next renewal as of the book date (metrics.renewals)
  falls in the period, on a contract longer than a month (a monthly contract renews every
  month; its retention shows in GRR and logo retention). A due renewal is *closed* once its
  date plus `grace_days` is measured, and *renewed* when the account's ARR on that day is > 0.

The functions take Ibis tables and return Ibis tables; nothing here executes. Grouping works
for any column of the per-account table: `owner`, `segment`, `manager` (see `with_manager`),
or none for the company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.errors import TenureError
from tenure.metrics.accounts import arr_on
from tenure.metrics.columns import join_on_account, ratio
from tenure.metrics.renewals import next_renewals
from tenure.operating.periods import Period

BOOK_COLUMNS = ("account_id", "arr", "owner", "segment")
RESULT_COLUMNS = (
    "accounts_start", "accounts_retained", "arr_start", "arr_retained", "arr_end", "expansion_arr",
    "contraction_arr", "churned_arr", "grr", "nrr", "logo_retention", "expansion_rate", "renewals_due",
    "renewals_closed", "renewals_renewed", "renewal_rate", "renewal_arr_due",
)
NO_OWNER = "(unassigned)"
NO_MANAGER = "(no manager)"


def measured_to(period: Period, as_of: dt.date | None) -> dt.date:
    """The day a period's end ARR is taken: its last day, or `as_of` while it is still running."""
    if as_of is None or as_of >= period.end:
        return period.end
    if as_of < period.start:
        raise TenureError(f"period {period.label} starts on {period.start}, after the as-of date {as_of}: "
                          "nothing of it can be measured yet")
    return as_of


def period_accounts(book: ir.Table, lines: ir.Table, *, period: Period, as_of: dt.date | None = None,
                    default_term_months: int = 12, grace_days: int = 0) -> ir.Table:
    """One row per account of the starting book with its start and end ARR and its renewal.

    `book`: one row per account paying at `period.book_date` with `account_id`, `arr` (its ARR
    then), `owner` (effective at the period start) and `segment` (at the period start); other
    columns are kept. `views.book.book_at(ws, as_of=period.book_date, owners=...)` is such a
    table. `lines`: subscription lines in the base currency known at the measured end.

    Added columns: arr_start, arr_end, arr_retained, expansion_arr, contraction_arr,
    churned_arr, retained (still paying), renewal_date, term_months, renewal_due,
    renewal_closed, renewed — as the module docstring defines them.
    """
    end_day = measured_to(period, as_of)
    missing = [c for c in BOOK_COLUMNS if c not in book.columns]
    if missing:
        raise ValueError(f"the book needs columns {', '.join(missing)}")
    ending = arr_on(lines, end_day).rename(_arr_end="arr")
    renewals = next_renewals(lines, as_of=period.book_date, default_term_months=default_term_months)
    renewals = renewals.select("account_id", _renewal=renewals.renewal_date, _term=renewals.term_months)
    kept = [c for c in book.columns if c not in ("arr", "renewal_date", "term_months")]
    joined = join_on_account(book, ending, renewals)
    joined = joined.select(*kept, arr_start=joined.arr.cast("float64"),
                           arr_end=ibis.coalesce(joined._arr_end, 0.0).cast("float64"),
                           renewal_date=joined._renewal.cast("date"), term_months=joined._term)
    joined = joined.mutate(owner=ibis.coalesce(joined.owner.cast("string"), ibis.literal(NO_OWNER)))
    due = (joined.renewal_date >= period.start) & (joined.renewal_date <= period.end) & (joined.term_months > 1)
    joined = joined.mutate(renewal_due=ibis.coalesce(due, False),
                           _closing=joined.renewal_date + ibis.interval(days=grace_days))
    joined = joined.mutate(renewal_closed=joined.renewal_due & (joined._closing <= end_day))
    closing = joined.filter(joined.renewal_closed).select("account_id", _day=joined._closing)
    out = join_on_account(joined, _arr_on_day(lines, closing))
    start, end = out.arr_start, out.arr_end
    return out.mutate(
        arr_retained=ibis.least(end, start),
        expansion_arr=ibis.greatest(end - start, 0.0),
        contraction_arr=ibis.ifelse(end > 0, ibis.greatest(start - end, 0.0), 0.0),
        churned_arr=ibis.ifelse(end > 0, 0.0, start),
        retained=end > 0,
        renewed=out.renewal_closed & (ibis.coalesce(out._arr_after, 0.0) > 0),
    ).drop("_arr_after", "_closing")


def book_results(accounts: ir.Table, *, by: Sequence[str] = ()) -> ir.Table:
    """The period's results per book: one row per value of `by` (one row, the company, when empty).

    `accounts` is `period_accounts(...)`, possibly with more columns to group by. Columns: `by`,
    then RESULT_COLUMNS (counts, ARR sums, and the rates grr, nrr, logo_retention,
    expansion_rate = expansion_arr ÷ arr_start, renewal_rate = renewed ÷ closed renewals).
    """
    t = accounts
    sums = dict(
        accounts_start=t.count(),
        accounts_retained=t.retained.sum().cast("int64"),
        arr_start=t.arr_start.sum(),
        arr_retained=t.arr_retained.sum(),
        arr_end=t.arr_end.sum(),
        expansion_arr=t.expansion_arr.sum(),
        contraction_arr=t.contraction_arr.sum(),
        churned_arr=t.churned_arr.sum(),
        renewals_due=t.renewal_due.sum().cast("int64"),
        renewals_closed=t.renewal_closed.sum().cast("int64"),
        renewals_renewed=t.renewed.sum().cast("int64"),
        renewal_arr_due=ibis.coalesce(t.arr_start.sum(where=t.renewal_due), 0.0),
    )
    out = t.group_by(list(by)).aggregate(**sums) if by else t.aggregate(**sums)
    return out.select(
        *by,
        "accounts_start", "accounts_retained", "arr_start", "arr_retained", "arr_end", "expansion_arr",
        "contraction_arr", "churned_arr",
        grr=ratio(out.arr_retained, out.arr_start),
        nrr=ratio(out.arr_end, out.arr_start),
        logo_retention=ratio(out.accounts_retained, out.accounts_start),
        expansion_rate=ratio(out.expansion_arr, out.arr_start),
        renewals_due=out.renewals_due, renewals_closed=out.renewals_closed,
        renewals_renewed=out.renewals_renewed,
        renewal_rate=ratio(out.renewals_renewed, out.renewals_closed),
        renewal_arr_due=out.renewal_arr_due,
    )


def with_manager(accounts: ir.Table, team: ir.Table | None) -> ir.Table:
    """Add `manager`: the `team.manager_id` of each account's owner (NO_MANAGER when there is none)."""
    if team is None or "manager_id" not in team.columns:
        return accounts.mutate(manager=ibis.literal(NO_MANAGER))
    managers = team.select(_person=team.person_id.cast("string"), _manager=team.manager_id.cast("string"))
    joined = accounts.left_join(managers, accounts.owner == managers._person)
    manager = ibis.coalesce(joined._manager.strip().nullif(""), ibis.literal(NO_MANAGER))
    return joined.select(*accounts.columns, manager=manager)


def _arr_on_day(lines: ir.Table, days: ir.Table) -> ir.Table:
    """Each account's ARR on its own day (`days._day`), as `_arr_after`."""
    pairs = lines.join(days, "account_id")
    live = (pairs.start_date <= pairs._day) & (pairs.end_date.isnull() | (pairs.end_date > pairs._day))
    return pairs.group_by("account_id").aggregate(_arr_after=(pairs.mrr.sum(where=live) * 12).cast("float64"))
