"""``ourastream dashboard``."""

import click


@click.command()
def dashboard() -> None:
    """Serve the live dashboard."""
    raise click.ClickException("not built yet")  # TODO: issue 5
