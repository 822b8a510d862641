"""`tenure export crm`: health, churn risk, next renewal and CSM per account, in a CRM's import format."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from tenure.cli.context import AS_OF, options, parse_date

app = typer.Typer(help="Write tenure's numbers out for other systems.", no_args_is_help=True)


class Crm(StrEnum):
    salesforce = "salesforce"
    hubspot = "hubspot"


@app.command("crm")
def crm(
    ctx: typer.Context,
    fmt: Crm = typer.Option(..., "--format", "-f", help="The CRM whose import format to write."),
    as_of: str = AS_OF,
    out: Path = typer.Option(None, "--out", "-o", help="Write the CSV to this file (default: standard output)."),
) -> None:
    """One CSV row per paying account: health score, band, churn probability, next renewal and CSM.

    Salesforce: Id plus Health_Score__c, Health_Band__c, Churn_Probability__c, Next_Renewal_Date__c,
    CSM_Owner__c, Health_As_Of__c (update Accounts with Data Loader). HubSpot: Record ID plus the
    tenure_* company properties (import to update companies). Owners set in tenure override loaded ones.
    """
    from tenure.cli.render import errors
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.views.export import crm_export

    ws = options(ctx).open()
    rows = crm_export(ws, crm=fmt.value, as_of=parse_date(as_of), owners=owner_overrides_of(ws))
    if out is None:
        typer.echo(rows.to_csv(index=False), nl=False)
        return
    rows.to_csv(out, index=False)
    errors.print(f"wrote {len(rows):,} accounts to {out}", highlight=False)
