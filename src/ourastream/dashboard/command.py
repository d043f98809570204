"""``ourastream dashboard``: the live web page of the rolling window."""

from __future__ import annotations

import click

from ourastream.console import settings_from


@click.command()
@click.option(
    "--host",
    metavar="ADDRESS",
    help="Address to serve on [default: 127.0.0.1; others need a token].",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port to serve on [default: 8050].",
)
@click.option("--person", help="Person shown first [default: OURASTREAM_PERSON].")
@click.pass_context
def dashboard(
    ctx: click.Context, host: str | None, port: int | None, person: str | None
) -> None:
    """Serve the live web dashboard of the rolling 15-day window.

    \b
    Example:
        ourastream dashboard --port 8050   # then open http://127.0.0.1:8050

    The page shows calories and high-activity minutes day by day, with
    anomalies explained, and changes as days reach the daily topic. It
    rebuilds its view from the topics at every start. Serving beyond
    127.0.0.1 requires OURASTREAM_DASHBOARD_TOKEN; then open
    http://HOST:PORT/?token=TOKEN once. Ctrl-C stops it.
    """
    # Imported here: the web stack takes a while to load, and every other
    # command would pay for it at start.
    from ourastream.dashboard.server import serve

    settings = settings_from(
        ctx, dashboard_host=host, dashboard_port=port, person=person
    )
    serve(settings)
