"""``ourastream broker start | stop | status`` and ``ourastream topics``."""

from __future__ import annotations

import time

import click

from ourastream import kafka
from ourastream.broker.runner import LocalBroker
from ourastream.console import Group, settings_from


@click.group(cls=Group)
def broker() -> None:
    """Run the local single-node Kafka broker (KRaft).

    \b
    Example:
        ourastream broker start && ourastream broker status

    The first start installs Apache Kafka's jars from Maven Central (or uses
    KAFKA_HOME). Data stays in OURASTREAM_DATA_DIR between starts. When
    OURASTREAM_BOOTSTRAP_SERVERS names another cluster, no local broker runs.
    """


@broker.command()
@click.pass_context
def start(ctx: click.Context) -> None:
    """Start the local broker in the background and wait until it answers.

    \b
    Example:
        ourastream broker start
    """
    settings = settings_from(ctx)
    runner = LocalBroker(settings)
    began = time.monotonic()
    if not runner.start():
        click.echo(f"The local broker is already running at {runner.address}.")
        return
    click.echo(
        f"Kafka is ready at {runner.address} "
        f"({time.monotonic() - began:.1f} s; log: {runner.log_file})."
    )


@broker.command()
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop the local broker gracefully; topics and messages are kept.

    \b
    Example:
        ourastream broker stop
    """
    runner = LocalBroker(settings_from(ctx))
    if runner.stop():
        click.echo("The local broker stopped.")
    else:
        click.echo("The local broker is not running.")


@broker.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Tell whether the broker runs, where, and which Kafka version.

    \b
    Example:
        ourastream broker status

    With OURASTREAM_BOOTSTRAP_SERVERS set, checks that cluster instead.
    Exits 1 when the broker is not running or not reachable.
    """
    settings = settings_from(ctx)
    if not settings.uses_local_broker:
        brokers = kafka.check_reachable(settings)
        click.echo(f"reachable  {settings.bootstrap}  ({brokers} brokers)")
        return
    state = LocalBroker(settings).status()
    click.echo(f"{'running' if state.running else 'stopped'}")
    click.echo(f"address        {state.address}")
    click.echo(f"pid            {state.pid or '-'}")
    click.echo(f"kafka version  {state.kafka_version}")
    click.echo(f"data directory {state.data_dir}")
    if not state.running:
        if kafka.answers(settings):
            click.echo(
                f"note           a Kafka broker answers at {state.address}, but not "
                f"one started from {state.data_dir} (another OURASTREAM_DATA_DIR?)"
            )
        ctx.exit(1)


@click.command()
@click.pass_context
def topics(ctx: click.Context) -> None:
    """Create the pipeline's topics that do not exist yet (never deletes).

    \b
    Example:
        ourastream topics
    """
    settings = settings_from(ctx)
    created = kafka.ensure_topics(settings)
    for name in settings.topics.values():
        click.echo(f"{'created' if name in created else 'exists '}  {name}")
