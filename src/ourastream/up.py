"""``ourastream up``: the whole pipeline from one command."""

import click


@click.command()
def up() -> None:
    """Run everything."""
    raise click.ClickException("not built yet")  # TODO: issue 6
