"""Who may see the dashboard: everyone on 127.0.0.1 without a token; with a
token, nobody without it; and no serving beyond this machine without one.
These tests need no broker: the app's feed only starts when it is served."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ourastream.cli import main
from ourastream.dashboard.access import TOKEN_COOKIE, check_binding
from ourastream.dashboard.app import create_app
from ourastream.errors import SettingsError
from ourastream.settings import Settings

TOKEN = "s3cret-token"


@pytest.fixture
def locked() -> TestClient:
    return TestClient(create_app(Settings(dashboard_token=TOKEN)))


@pytest.mark.parametrize(
    "path", ["/", "/api/health", "/api/window", "/openapi.json", "/static/dashboard.js"]
)
def test_without_the_token_everything_answers_401(locked: TestClient, path) -> None:
    response = locked.get(path)

    assert response.status_code == 401
    assert "OURASTREAM_DASHBOARD_TOKEN" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_answers_401(locked: TestClient) -> None:
    response = locked.get("/api/health", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


def test_a_bearer_token_opens_the_api(locked: TestClient) -> None:
    response = locked.get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response.json()["connected"] is False  # the feed is not running


def test_a_token_in_the_address_becomes_a_cookie(locked: TestClient) -> None:
    first = locked.get(f"/?token={TOKEN}&person=me", follow_redirects=False)

    assert first.status_code == 303
    assert first.headers["location"] == "/?person=me"
    assert locked.cookies.get(TOKEN_COOKIE) == TOKEN
    page = locked.get("/?person=me")
    assert page.status_code == 200
    assert "/static/dashboard.js" in page.text


def test_without_a_token_the_local_dashboard_is_open() -> None:
    client = TestClient(create_app(Settings()))

    assert client.get("/").status_code == 200
    assert client.get("/api/health").status_code == 200


def test_every_script_and_style_is_served_by_the_dashboard_itself() -> None:
    client = TestClient(create_app(Settings()))

    page = client.get("/").text

    assert "http://" not in page and "https://" not in page
    for asset in ("/static/chart.js", "/static/dashboard.js", "/static/dashboard.css"):
        assert f'"{asset}"' in page
        assert client.get(asset).status_code == 200
    assert "url(" not in client.get("/static/dashboard.css").text


def test_binding_beyond_this_machine_needs_a_token() -> None:
    with pytest.raises(SettingsError, match="OURASTREAM_DASHBOARD_TOKEN"):
        check_binding(Settings(dashboard_host="0.0.0.0"))

    check_binding(Settings(dashboard_host="0.0.0.0", dashboard_token=TOKEN))
    check_binding(Settings(dashboard_host="127.0.0.1"))


def test_the_command_refuses_in_one_line(clean_env) -> None:
    result = CliRunner().invoke(main, ["dashboard", "--host", "0.0.0.0"])

    assert result.exit_code == 1
    assert "Refusing to serve the dashboard on '0.0.0.0'" in result.output
    assert "Traceback" not in result.output
