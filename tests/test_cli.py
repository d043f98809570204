"""The command line as a whole: every command explains itself with an example,
the package runs as a module, and a user's mistake is one line, not a
traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ourastream.cli import main
from ourastream.settings import Settings, env_name, known_env_names

README = Path(__file__).resolve().parents[1] / "README.md"


def all_commands(group: click.Group, prefix: str = "ourastream"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


COMMANDS = dict(all_commands(main))


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(path: str) -> None:
    command = COMMANDS[path]

    assert command.help, f"{path} has no help"
    assert "Example" in command.help, f"{path}'s help shows no example"
    assert path in command.help or isinstance(command, click.Group), (
        f"{path}'s example does not show the command"
    )


def test_help_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ourastream", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0
    for name in ("broker", "produce", "process", "dashboard", "chart", "up"):
        assert name in result.stdout


def test_a_bad_setting_is_one_line(clean_env: Path) -> None:
    result = CliRunner().invoke(
        main, ["broker", "status"], env={"OURASTREAM_BROKER_PORT": "ninety"}
    )

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: OURASTREAM_BROKER_PORT='ninety' is not valid: Input should be a "
        "valid integer, unable to parse string as an integer. Fix or unset "
        "OURASTREAM_BROKER_PORT."
    )


def test_readme_lists_every_setting() -> None:
    text = README.read_text()

    missing = [env_name(n) for n in Settings.model_fields if env_name(n) not in text]
    named = set(re.findall(r"OURASTREAM_[A-Z_]+[A-Z]", text))

    assert missing == []
    assert named - known_env_names() == set(), "the README names no setting we lack"
