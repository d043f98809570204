"""``ourastream process`` and ``ourastream window``."""

import click


@click.command()
def process() -> None:
    """Run the stream processor."""
    raise click.ClickException("not built yet")  # TODO: issue 4


@click.command()
def window() -> None:
    """Print a person's rolling window."""
    raise click.ClickException("not built yet")  # TODO: issue 4
