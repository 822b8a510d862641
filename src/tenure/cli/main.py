"""The `tenure` entry point: global options, the sub-commands, and error translation."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tenure.cli import (
    account,
    balance,
    capacity,
    churn_reasons,
    comp,
    coverage,
    ctas,
    db,
    demo,
    desk,
    escalations,
    export,
    feature_requests,
    forecast,
    handoffs,
    health,
    init,
    load,
    metrics,
    motions,
    notes,
    playbooks,
    predict,
    report,
    run,
    scorecards,
    segments,
    serve,
    sources,
    spend,
    success_plans,
    targets,
    teams,
    users,
)
from tenure.cli.context import Options
from tenure.errors import DataContractError, TenureError

app = typer.Typer(
    name="tenure",
    help="tenure: the customer success platform — revenue truth, health, renewals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Path = typer.Option(None, "--workspace", "-w", help="Workspace folder (default: current folder)."),
    warehouse: str = typer.Option(None, "--warehouse", help="Ibis URL of the warehouse, overriding tenure.yaml."),
) -> None:
    ctx.obj = Options(workspace=workspace, warehouse=warehouse)


init.register(app)
balance.register(app)
load.register(app)
run.register(app)
health.register(app)
account.register(app)
predict.register(app)
forecast.register(app)
db.register(app)
playbooks.register(app)
ctas.register(app)
users.register(app)
serve.register(app)
handoffs.register(app)
churn_reasons.register(app)
feature_requests.register(app)
escalations.register(app)
report.register(app)
success_plans.register(app)
notes.register(app)
teams.register(app)
spend.register(app)
segments.register(app)
coverage.register(app)
motions.register(app)
scorecards.register(app)
targets.register(app)
comp.register(app)
capacity.register(app)
app.add_typer(metrics.app, name="metrics")
app.add_typer(sources.app, name="sources")
app.add_typer(demo.app, name="demo")
app.add_typer(desk.app, name="desk")
app.add_typer(export.app, name="export")


def run_cli() -> int:
    """Run the CLI, turning tenure's errors into readable messages and exit codes."""
    from tenure.cli.render import errors

    try:
        app(standalone_mode=False)
    except DataContractError as exc:
        from tenure.cli.problems import show_problems

        show_problems(exc)
        return exc.exit_code
    except TenureError as exc:
        from rich.markup import escape

        errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return exc.exit_code
    except KeyboardInterrupt:
        errors.print("interrupted; nothing was changed by the unfinished step")
        return 130
    except (typer.Exit, SystemExit) as exc:
        return getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0
    except typer.Abort:
        return 1
    except Exception as exc:
        # usage errors (bad option, bad value) carry their message and exit code; typer ≥ 0.29
        # bundles its own click, so they are recognised by shape rather than by click's class
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return exc.exit_code
        raise
    return 0


def entry() -> None:
    sys.exit(run_cli())
