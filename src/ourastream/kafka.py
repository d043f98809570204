"""The thin layer over confluent-kafka: client configuration from settings,
the pipeline's topics (created, never deleted), and translation of the
client's errors into ourastream's. No other module imports librdkafka's
error types.
"""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from ourastream.errors import KafkaError, TopicMismatchError, UnreachableError
from ourastream.settings import Settings

log = logging.getLogger(__name__)
# librdkafka's own log lines (connection refused, retries) go here instead of
# straight to stderr; failures that matter are raised as our errors anyway.
client_log = logging.getLogger("ourastream.kafka.client")

# The daily topic holds one value per person/day; compaction keeps the newest.
COMPACTED_ROLES = ("daily", "anomalies")


def client_config(settings: Settings, **extra: Any) -> dict[str, Any]:
    """librdkafka configuration for the configured cluster and its security.

    Args:
        settings: the effective settings.
        extra: more librdkafka properties (they win).

    Returns:
        A dict for ``Producer``, ``Consumer`` or ``AdminClient``.
    """
    config: dict[str, Any] = {
        "bootstrap.servers": settings.bootstrap,
        "logger": client_log,
        "security.protocol": settings.security_protocol,
    }
    if settings.sasl_mechanism:
        config["sasl.mechanism"] = settings.sasl_mechanism
    if settings.sasl_username:
        config["sasl.username"] = settings.sasl_username
    if settings.sasl_password:
        config["sasl.password"] = settings.sasl_password.get_secret_value()
    if settings.ssl_ca_location:
        config["ssl.ca.location"] = str(settings.ssl_ca_location)
    config.update(extra)
    return config


def unreachable_hint(settings: Settings) -> str:
    """What to do when nothing answers at the bootstrap address."""
    if settings.uses_local_broker:
        return "Start the local one with `ourastream broker start`."
    return "Check OURASTREAM_BOOTSTRAP_SERVERS and the security settings."


def admin(settings: Settings) -> AdminClient:
    """An admin client for the configured cluster."""
    return AdminClient(client_config(settings))


def check_reachable(settings: Settings, timeout_s: float = 5.0) -> int:
    """Ask the cluster for its metadata.

    Returns:
        The number of brokers that answered.

    Raises:
        UnreachableError: naming the address and how to fix it.
    """
    try:
        metadata = admin(settings).list_topics(timeout=timeout_s)
    except KafkaException as exc:
        raise UnreachableError(
            f"No Kafka broker answers at {settings.bootstrap}. "
            + unreachable_hint(settings)
        ) from exc
    return len(metadata.brokers)


def answers(settings: Settings, timeout_s: float = 2.0) -> bool:
    """True when a Kafka broker answers at the bootstrap address."""
    try:
        check_reachable(settings, timeout_s)
    except UnreachableError:
        return False
    return True


def topic_specs(settings: Settings) -> dict[str, dict[str, str]]:
    """Each pipeline topic's name and the configuration it is created with."""
    specs = {}
    for role, name in settings.topics.items():
        compacted = role in COMPACTED_ROLES
        specs[name] = {"cleanup.policy": "compact" if compacted else "delete"}
    return specs


def ensure_topics(settings: Settings, timeout_s: float = 30.0) -> list[str]:
    """Create the pipeline's topics that do not exist yet.

    An existing topic is never deleted or recreated; one with fewer partitions
    than configured or another cleanup policy is reported.

    Returns:
        The names of the topics this call created.

    Raises:
        TopicMismatchError: an existing topic cannot serve its role.
        UnreachableError: the cluster does not answer.
    """
    client = admin(settings)
    existing = _existing_topics(client, settings, timeout_s)
    specs = topic_specs(settings)
    missing = [name for name in specs if name not in existing]
    if missing:
        _create(client, settings, {name: specs[name] for name in missing}, timeout_s)
    present = {n: p for n, p in existing.items() if n in specs}
    _check_existing(client, settings, present, specs, timeout_s)
    return missing


def _existing_topics(
    client: AdminClient, settings: Settings, timeout_s: float
) -> dict[str, int]:
    try:
        metadata = client.list_topics(timeout=timeout_s)
    except KafkaException as exc:
        raise UnreachableError(
            f"No Kafka broker answers at {settings.bootstrap}. "
            + unreachable_hint(settings)
        ) from exc
    return {name: len(t.partitions) for name, t in metadata.topics.items()}


def _create(
    client: AdminClient,
    settings: Settings,
    specs: dict[str, dict[str, str]],
    timeout_s: float,
) -> None:
    new = [
        NewTopic(
            name,
            num_partitions=settings.partitions,
            replication_factor=settings.replication_factor,
            config=config,
        )
        for name, config in specs.items()
    ]
    for name, future in client.create_topics(new, request_timeout=timeout_s).items():
        try:
            future.result()
            log.info("created topic %s (%d partitions)", name, settings.partitions)
        except KafkaException as exc:
            if exc.args[0].name() == "TOPIC_ALREADY_EXISTS":
                continue  # another process created it first; that is fine
            raise KafkaError(
                f"Cannot create topic {name}: {exc.args[0].str()}"
            ) from exc


def _check_existing(
    client: AdminClient,
    settings: Settings,
    partitions: dict[str, int],
    specs: dict[str, dict[str, str]],
    timeout_s: float,
) -> None:
    problems = []
    for name, count in partitions.items():
        if count < settings.partitions:
            problems.append(
                f"{name} has {count} partitions, fewer than the "
                f"{settings.partitions} configured"
            )
    policies = _cleanup_policies(client, list(partitions), timeout_s)
    for name, policy in policies.items():
        wanted = specs[name]["cleanup.policy"]
        if wanted == "compact" and "compact" not in policy:
            problems.append(f"{name} has cleanup.policy={policy}, not compact")
    if problems:
        raise TopicMismatchError(
            "Existing topics do not match: "
            + "; ".join(problems)
            + ". ourastream never deletes topics: fix them with Kafka's tools, "
            "or choose other names (OURASTREAM_TOPIC_*) or OURASTREAM_PARTITIONS."
        )


def _cleanup_policies(
    client: AdminClient, names: list[str], timeout_s: float
) -> dict[str, str]:
    if not names:
        return {}
    resources = [ConfigResource(ConfigResource.Type.TOPIC, n) for n in names]
    policies = {}
    for resource, future in client.describe_configs(
        resources, request_timeout=timeout_s
    ).items():
        try:
            entries = future.result()
        except KafkaException as exc:
            raise KafkaError(f"Cannot describe topic {resource.name}") from exc
        policies[resource.name] = entries["cleanup.policy"].value
    return policies


def describe_error(exc: KafkaException) -> str:
    """A one-line description of a client error."""
    error = exc.args[0] if exc.args else None
    return error.str() if hasattr(error, "str") else str(exc)
