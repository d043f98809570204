"""The Oura API v2 as an input: ``/v2/usercollection/daily_activity`` page by
page (following ``next_token``), with the personal access token from
``OURASTREAM_OURA_TOKEN``. Each record keeps the exact bytes the API sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx

from ourastream.errors import SourceError
from ourastream.produce.sources import Record, page_records
from ourastream.settings import Settings

log = logging.getLogger(__name__)

SOURCE = "oura-api"
DAILY_ACTIVITY_PATH = "/v2/usercollection/daily_activity"
TIMEOUT_S = 30.0
RETRIES = 3
# Statuses worth asking again: rate limited, or the service briefly down.
RETRY_STATUSES = (429, 500, 502, 503, 504)


class OuraApi:
    """Daily activity from the Oura API v2, as an input of ``produce``."""

    path = SOURCE
    size = None
    bytes_read = 0

    def __init__(
        self,
        settings: Settings,
        start_day: str | None = None,
        end_day: str | None = None,
    ) -> None:
        if settings.oura_token is None or not settings.oura_token.get_secret_value():
            raise SourceError(
                "Reading the Oura API needs a personal access token: create one at "
                "https://cloud.ouraring.com/personal-access-tokens and set "
                "OURASTREAM_OURA_TOKEN."
            )
        self.settings = settings
        self.start_day = start_day
        self.end_day = end_day

    def records(self, _forced: str = "pages") -> Iterator[Record]:
        """Every record of every page, in the order the API sends them."""
        for number, page in enumerate(self.pages(), 1):
            yield from page_records(page, SOURCE, number)

    def pages(self) -> Iterator[bytes]:
        """The raw bytes of each response page.

        Raises:
            SourceError: the API cannot be reached or refuses the request.
        """
        token = self.settings.oura_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}"}
        base = self.settings.oura_api_url.rstrip("/")
        with httpx.Client(base_url=base, headers=headers, timeout=TIMEOUT_S) as client:
            next_token: str | None = None
            while True:
                response = self._get(client, self._params(next_token))
                yield response.content
                next_token = _next_token(response)
                if not next_token:
                    return

    def _params(self, next_token: str | None) -> dict[str, str]:
        params = {"start_date": self.start_day, "end_date": self.end_day}
        params["next_token"] = next_token
        return {name: value for name, value in params.items() if value}

    def _get(self, client: httpx.Client, params: dict[str, str]) -> httpx.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = client.get(DAILY_ACTIVITY_PATH, params=params)
            except httpx.HTTPError as exc:
                raise SourceError(
                    f"Cannot reach the Oura API at {self.settings.oura_api_url}: "
                    f"{exc}. Check the network and OURASTREAM_OURA_API_URL."
                ) from exc
            if response.status_code not in RETRY_STATUSES or attempt == RETRIES:
                break
            wait_s = _retry_after_s(response, attempt)
            log.warning(
                "Oura API answered %d; asking again in %.0f s",
                response.status_code,
                wait_s,
            )
            time.sleep(wait_s)
        _raise_for_status(response)
        return response


def _retry_after_s(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    return float(header) if header.isdigit() else float(2**attempt)


def _next_token(response: httpx.Response) -> str | None:
    try:
        token = response.json().get("next_token")
    except (ValueError, AttributeError):
        return None  # the page itself becomes a dead letter with its problem
    return token if isinstance(token, str) else None


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status in (401, 403):
        raise SourceError(
            f"The Oura API refused the token ({status}). Set OURASTREAM_OURA_TOKEN "
            "to a valid personal access token with the daily scope."
        )
    raise SourceError(
        f"The Oura API answered {status} for {response.url}: "
        f"{response.text[:200]}. Check --from-day/--to-day and "
        "OURASTREAM_OURA_API_URL."
    )
