"""One typed settings object for every command, read from the environment
(prefix ``OURASTREAM_``) and a ``.env`` file in the working directory.

Every environment variable ourastream reads is named here and nowhere else.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ourastream.errors import SettingsError

ENV_PREFIX = "OURASTREAM_"
LOCAL_HOST = "127.0.0.1"

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]


class Settings(BaseSettings):
    """Everything ourastream can be told, with its default.

    Leave ``bootstrap_servers`` unset to use the local broker that
    ``ourastream broker start`` runs; set it to use any other cluster, and no
    command will ever start a local broker.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # Kafka cluster
    bootstrap_servers: str | None = Field(
        None, description="Kafka bootstrap servers; unset means the local broker"
    )
    security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
    )
    sasl_mechanism: SaslMechanism | None = Field(
        None, description="PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER"
    )
    sasl_username: str | None = Field(None, description="SASL user name")
    sasl_password: SecretStr | None = Field(None, description="SASL password")
    ssl_ca_location: Path | None = Field(
        None, description="CA certificate file to verify the brokers (SSL)"
    )

    # Topics
    topic_raw: str = Field("oura.activity.raw", description="raw records as received")
    topic_daily: str = Field(
        "oura.activity.daily", description="latest revision of each day (compacted)"
    )
    topic_anomalies: str = Field(
        "oura.activity.anomalies", description="anomalies of each day"
    )
    topic_deadletter: str = Field(
        "oura.deadletter", description="inputs that could not be used, with why"
    )
    partitions: int = Field(3, ge=1, description="partitions of each new topic")
    replication_factor: int = Field(
        1, ge=1, description="replication factor of each new topic"
    )

    # Who and where
    person: str = Field("me", min_length=1, description="default person (the key)")
    data_dir: Path = Field(
        Path.home() / ".ourastream",
        description="broker data, processor state and logs",
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "ourastream",
        description="where Kafka's jars are installed once",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="DEBUG, INFO, WARNING or ERROR"
    )

    # Local broker
    broker_port: int = Field(9092, ge=1, le=65535, description="local broker port")
    controller_port: int = Field(
        9093, ge=1, le=65535, description="local KRaft controller port"
    )
    broker_heap_mb: int = Field(512, ge=128, description="local broker JVM heap")
    broker_start_timeout_s: float = Field(
        90, gt=0, description="how long to wait for the local broker"
    )
    kafka_home: Path | None = Field(
        None,
        validation_alias=AliasChoices("KAFKA_HOME", "OURASTREAM_KAFKA_HOME"),
        description="a Kafka distribution to use instead of installing jars",
    )

    # Processing
    consumer_group: str = Field(
        "ourastream-process", description="consumer group of `process`"
    )
    processing_guarantee: Literal["at-least-once", "exactly-once"] = Field(
        "at-least-once", description="at-least-once or exactly-once"
    )
    baseline_days: int = Field(28, ge=1, description="worn days in a baseline")
    baseline_min_days: int = Field(
        7, ge=1, description="worn days needed before any judgment"
    )
    min_wear_ratio: float = Field(
        0.6, ge=0, le=1, description="share of the day worn to judge it"
    )
    workout_min_high_activity_minutes: float = Field(
        30, ge=0, description="high activity that counts as a workout"
    )
    workout_max_calories_ratio: float = Field(
        1.0, gt=0, description="a workout day under baseline x this is flagged"
    )
    surplus_min_calories_ratio: float = Field(
        1.25, gt=1, description="calories over baseline x this with little activity"
    )
    surplus_max_active_minutes: float = Field(
        30, ge=0, description="'little activity': high+medium minutes at most"
    )
    stride_min_m: float = Field(0.3, gt=0, description="shortest plausible stride")
    stride_max_m: float = Field(2.5, gt=0, description="longest plausible stride")
    stride_min_steps: int = Field(
        1000, ge=0, description="fewer steps than this: stride not judged"
    )
    max_day_minutes: float = Field(
        1560, gt=0, description="durations of one day summing over this: impossible"
    )

    # Views
    window_days: int = Field(15, ge=1, description="days in the rolling window")
    calories_red_below: int = Field(2750, description="bars under this are red")
    calories_orange_below: int = Field(3000, description="bars under this are orange")
    dashboard_host: str = Field("127.0.0.1", description="dashboard bind address")
    dashboard_port: int = Field(8050, ge=1, le=65535, description="dashboard port")
    dashboard_token: SecretStr | None = Field(
        None, description="access token, required to bind beyond 127.0.0.1"
    )

    # Oura API
    oura_token: SecretStr | None = Field(None, description="Oura personal token")
    oura_api_url: str = Field(
        "https://api.ouraring.com", description="Oura API base address"
    )

    @field_validator("bootstrap_servers")
    @classmethod
    def _servers_have_ports(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"{server!r} is not host:port")
        return value.strip()

    @property
    def uses_local_broker(self) -> bool:
        """True when no cluster is configured and the local broker is meant."""
        return self.bootstrap_servers is None

    @property
    def bootstrap(self) -> str:
        """The address clients connect to."""
        return self.bootstrap_servers or f"{LOCAL_HOST}:{self.broker_port}"

    @property
    def topics(self) -> dict[str, str]:
        """The pipeline's topics by role."""
        return {
            "raw": self.topic_raw,
            "daily": self.topic_daily,
            "anomalies": self.topic_anomalies,
            "deadletter": self.topic_deadletter,
        }

    def masked(self) -> dict[str, Any]:
        """The effective settings for logging, with secrets shown as ``***``."""
        shown = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "***" if value.get_secret_value() else ""
            shown[name] = value
        return shown


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    if field == "kafka_home":
        return "KAFKA_HOME"
    return ENV_PREFIX + field.upper()


def known_env_names() -> set[str]:
    """Every environment variable ourastream reads."""
    return {env_name(field) for field in Settings.model_fields} | {
        ENV_PREFIX + "KAFKA_HOME"
    }


def unknown_env_names(dotenv: Path = Path(".env")) -> dict[str, str | None]:
    """``OURASTREAM_*`` names in the environment or ``.env`` that no setting
    has, each with the closest known name (a likely misspelling) or None."""
    names = {n for n in os.environ if n.startswith(ENV_PREFIX)}
    if dotenv.is_file():
        names |= {n for n in dotenv_values(dotenv) if n.startswith(ENV_PREFIX)}
    known = known_env_names()
    return {
        name: next(iter(difflib.get_close_matches(name, known, n=1)), None)
        for name in sorted(names - known)
    }


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a bad value into one readable line.

    Args:
        overrides: values that win over the environment (from CLI flags).

    Raises:
        SettingsError: naming the environment variable to fix.
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        value = error.get("input")
        name = env_name(field)
        where = "" if name in os.environ or not _in_dotenv(name) else " (in .env)"
        raise SettingsError(
            f"{name}={value!r}{where} is not valid: {error['msg']}. "
            f"Fix or unset {name}."
        ) from exc


def _in_dotenv(name: str, dotenv: Path = Path(".env")) -> bool:
    return dotenv.is_file() and name in dotenv_values(dotenv)
