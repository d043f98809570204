"""``ourastream chart``."""

import click


@click.command()
def chart() -> None:
    """Draw the chart as a PNG."""
    raise click.ClickException("not built yet")  # TODO: issue 5
