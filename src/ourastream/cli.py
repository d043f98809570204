"""The ``ourastream`` command: thin commands over the pipeline's parts."""

from __future__ import annotations

import click

from ourastream import __version__
from ourastream.broker.command import broker, topics
from ourastream.chart.command import chart
from ourastream.console import Group, quiet_option
from ourastream.dashboard.command import dashboard
from ourastream.process.command import process, window
from ourastream.produce.command import produce, sample
from ourastream.up import up


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ourastream")
@quiet_option
def main() -> None:
    """Stream Oura Ring daily activity through Apache Kafka into live views.

    \b
    Example:
        ourastream up            # broker, processor, dashboard and a sample

    Settings come from OURASTREAM_* environment variables and a .env file.
    """


for command in (broker, topics, sample, produce, process, window, dashboard, chart, up):
    main.add_command(command)
