"""`generate`: simulate a demo company and write it into a folder in the data contract.

The stages run in causal order — sign customers, run their contracts month by month
(hidden health drives renewals and growth), staff the team, then derive everything the
CS team would see from that history: contacts, activities, tickets, surveys,
opportunities, and product usage. Each stage draws from its own random stream, seeded by
(seed, stage), so the company is a pure function of (seed, accounts, months, end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tenure.contract.schemas import LOAD_ORDER, TABLES
from tenure.demo import tables
from tenure.demo.adoption import availability
from tenure.demo.catalog import release_days
from tenure.demo.company import sign_customers
from tenure.demo.contacts import collect_surveys, meet_contacts
from tenure.demo.contracts import simulate_contracts
from tenure.demo.engagement import CustomerMonths, simulate_activities, simulate_tickets
from tenure.demo.fx import simulate_rates
from tenure.demo.opportunities import book_opportunities
from tenure.demo.team import staff
from tenure.demo.timeline import Window, last_month_end_before
from tenure.demo.usage import write_events
from tenure.demo.writer import FORMATS, EventParts, arrow_table, clear_outputs, write_table
from tenure.errors import TenureError

Progress = Callable[[str, int, int], None]
STREAMS = ("company", "fx", "contracts", "team", "contacts", "activities", "tickets", "surveys",
           "opportunities", "adoption", "events")


def generate(out_dir: Path, *, accounts: int = 1000, months: int = 36, seed: int = 7,
             end: dt.date | None = None, file_format: str = "parquet",
             progress: Progress | None = None) -> dict[str, int]:
    """Write a demo company in the data contract into out_dir; return rows written per table.

    `end` is the last day of history (default: the last month-end before today); history
    starts `months` months before it. Tables are written as `<table>.<file_format>`, usage
    as `events/part-00000.<file_format>`, ...; files of an earlier run in out_dir are replaced,
    and a table without rows is not written.
    Besides `accounts` customers, about 1 % more accounts are prospects with an open deal.
    """
    if accounts < 1 or months < 1:
        raise ValueError("accounts and months must be at least 1")
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    report = progress or (lambda stage, done, total: None)
    window = Window.ending(end or last_month_end_before(dt.date.today()), months)

    def stream(name: str) -> np.random.Generator:
        return np.random.default_rng([seed, STREAMS.index(name)])

    blocking = next((p for p in (out_dir, *out_dir.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise TenureError(f"{blocking} is a file, not a folder; choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_outputs(out_dir)
    rows: dict[str, int] = {}

    def write(name: str, columns: tables.Columns) -> None:
        """Write a table as soon as it is simulated, so that its data can be freed.

        An empty table (a tiny company may have no tickets) is not written: the loader refuses
        files without rows, and an optional table may be missing."""
        table = arrow_table(name, columns)
        if table.num_rows:
            write_table(out_dir / f"{name}.{file_format}", table)
        rows[name] = table.num_rows
        report("tables", len(rows), len(TABLES) - 1)

    customers = sign_customers(stream("company"), window, accounts)
    fx = simulate_rates(stream("fx"), int(customers.customer_start.min()), window.end)
    history = simulate_contracts(stream("contracts"), window, customers, fx,
                                 lambda done, total: report("contracts", done, total))
    first = history.arrivals
    signed = np.zeros(customers.size)  # ARR signed on the first contract, in USD: it balances CSM books
    signed[first.account] = first.arr_after * fx.on(customers.currency[first.account], first.day)
    team = staff(stream("team"), window, customers, signed)
    people = meet_contacts(stream("contacts"), window, customers, history)
    ids = tables.Ids(customers.size, len(team.role), len(people.account))
    released = release_days(window)

    write("team", tables.team_members(ids, team))
    write("accounts", tables.accounts(ids, customers, team))
    write("account_team", tables.account_team(ids, customers, team))
    write("features", tables.features(released))
    write("fx_rates", tables.fx_rates(fx))
    write("subscriptions", tables.subscriptions(ids, customers, history))
    write("contacts", tables.contacts(ids, people))
    as_customer = CustomerMonths.of(window, customers, history)
    touches = simulate_activities(stream("activities"), as_customer, customers, team)
    write("activities", tables.activities(ids, touches))
    del touches
    support = simulate_tickets(stream("tickets"), window, as_customer, customers, history)
    write("tickets", tables.tickets(ids, support))
    del support
    write("surveys", tables.surveys(ids, collect_surveys(stream("surveys"), as_customer, customers, people)))
    del people, as_customer
    deals = book_opportunities(stream("opportunities"), window, customers, history, team, fx)
    write("opportunities", tables.opportunities(ids, deals))
    del deals

    parts = EventParts(out_dir, file_format)
    write_events(parts, seed, STREAMS.index("events"), window, customers, history,
                 availability(stream("adoption"), window, customers, history, released),
                 lambda done, total: report("events", done, total))
    rows["events"] = parts.close()
    return {name: rows[name] for name in LOAD_ORDER}
