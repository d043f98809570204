"""``ourastream produce`` and ``ourastream sample``."""

import click


@click.command()
def sample() -> None:
    """Write realistic sample daily activity."""
    raise click.ClickException("not built yet")  # TODO: issue 3


@click.command()
def produce() -> None:
    """Send records into the raw topic."""
    raise click.ClickException("not built yet")  # TODO: issue 3
