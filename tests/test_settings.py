"""Settings: defaults, environment, .env, masking, and bad values."""

from pathlib import Path

import pytest

from ourastream.errors import SettingsError
from ourastream.settings import Settings, env_name, load_settings, unknown_env_names


def test_defaults(clean_env: Path) -> None:
    settings = load_settings()

    assert settings.uses_local_broker
    assert settings.bootstrap == "127.0.0.1:9092"
    assert settings.topics == {
        "raw": "oura.activity.raw",
        "daily": "oura.activity.daily",
        "anomalies": "oura.activity.anomalies",
        "deadletter": "oura.deadletter",
    }
    assert settings.security_protocol == "PLAINTEXT"
    assert settings.person == "me"
    assert settings.partitions == 3


def test_environment_wins(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OURASTREAM_BOOTSTRAP_SERVERS", "kafka-1:9094,kafka-2:9094")
    monkeypatch.setenv("OURASTREAM_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("OURASTREAM_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("OURASTREAM_TOPIC_RAW", "mine.raw")
    monkeypatch.setenv("OURASTREAM_PARTITIONS", "6")

    settings = load_settings()

    assert not settings.uses_local_broker
    assert settings.bootstrap == "kafka-1:9094,kafka-2:9094"
    assert settings.security_protocol == "SASL_SSL"
    assert settings.sasl_mechanism == "SCRAM-SHA-512"
    assert settings.topic_raw == "mine.raw"
    assert settings.partitions == 6


def test_dotenv_file_is_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "OURASTREAM_PERSON=ada\nOURASTREAM_BROKER_PORT=19092\n"
    )
    monkeypatch.setenv("OURASTREAM_PERSON", "grace")

    settings = load_settings()

    assert settings.broker_port == 19092
    assert settings.person == "grace", "the environment wins over .env"


def test_kafka_home_is_read_without_prefix(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_HOME", "/opt/kafka")

    assert load_settings().kafka_home == Path("/opt/kafka")


def test_secrets_are_masked(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OURASTREAM_SASL_PASSWORD", "hunter2")
    monkeypatch.setenv("OURASTREAM_OURA_TOKEN", "tok-123")

    settings = load_settings()
    shown = settings.masked()

    assert shown["sasl_password"] == "***"
    assert shown["oura_token"] == "***"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(shown)
    assert settings.sasl_password.get_secret_value() == "hunter2"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OURASTREAM_BROKER_PORT", "ninety"),
        ("OURASTREAM_BROKER_PORT", "70000"),
        ("OURASTREAM_SECURITY_PROTOCOL", "TLS"),
        ("OURASTREAM_BOOTSTRAP_SERVERS", "localhost"),
        ("OURASTREAM_PARTITIONS", "0"),
    ],
)
def test_bad_value_names_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    message = str(caught.value)
    assert variable in message
    assert repr(value) in message
    assert "\n" not in message


def test_every_field_has_a_description() -> None:
    missing = [n for n, f in Settings.model_fields.items() if not f.description]

    assert missing == []


def test_env_names() -> None:
    assert env_name("broker_port") == "OURASTREAM_BROKER_PORT"
    assert env_name("kafka_home") == "KAFKA_HOME"


def test_topics_follow_a_copy(clean_env: Path) -> None:
    settings = load_settings()

    copy = settings.model_copy(update={"topic_raw": "other.raw"})

    assert copy.topics["raw"] == "other.raw"


def test_misspelled_names_are_found(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text("OURASTREAM_BROKR_PORT=1\nOURASTREAM_PERSON=ada\n")
    monkeypatch.setenv("OURASTREAM_DASHBORD_PORT", "1")
    monkeypatch.setenv("OURASTREAM_KAFKA_HOME", "/opt/kafka")

    assert unknown_env_names() == {
        "OURASTREAM_BROKR_PORT": "OURASTREAM_BROKER_PORT",
        "OURASTREAM_DASHBORD_PORT": "OURASTREAM_DASHBOARD_PORT",
    }


def test_a_bad_value_in_dotenv_says_so(clean_env: Path) -> None:
    (clean_env / ".env").write_text("OURASTREAM_BROKER_PORT=abc\n")

    with pytest.raises(
        SettingsError, match=r"OURASTREAM_BROKER_PORT='abc' \(in \.env\)"
    ):
        load_settings()
