"""`tenure serve [--host 127.0.0.1] [--port 8000]`: the web app and the REST API over the workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import options


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)


def serve(ctx: typer.Context,
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
          port: int = typer.Option(8000, "--port", min=1, max=65535),
          certfile: Path = typer.Option(None, "--ssl-certfile", help="TLS certificate, to serve HTTPS."),
          keyfile: Path = typer.Option(None, "--ssl-keyfile", help="TLS private key."),
          announce: bool = typer.Option(True, "--announce/--quiet", help="Print the URL.")) -> None:
    """Serve the pages and /api/v1 (OpenAPI at /api/docs). Session cookies are Secure: browsers send them over
    HTTPS and to loopback addresses; serve other addresses with --ssl-certfile/--ssl-keyfile."""
    import uvicorn

    from tenure.cli.render import console
    from tenure.errors import TenureError
    from tenure.web.app import create_app
    from tenure.web.state import AppState

    if (certfile is None) != (keyfile is None):
        raise TenureError("give both --ssl-certfile and --ssl-keyfile, or neither")
    root = options(ctx).workspace or Path.cwd()
    app = create_app(AppState.open(root), warm=True)
    scheme = "https" if certfile else "http"
    if announce:
        console.print(f"tenure is serving {root.resolve()} at {scheme}://{host}:{port}/ "
                      f"(API docs at {scheme}://{host}:{port}/api/docs); Ctrl+C stops it.")
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=certfile, ssl_keyfile=keyfile,
                access_log=False)
