"""Publishing with idempotent retries: the signal's ``id`` is its idempotency key, so a retry after a
503, a 429 or a lost connection can never store it twice (the server answers 200 with the original
seq). Refusals that a retry cannot fix (400, 401, 403, 409, 413, 415) raise at once."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Optional

from .backoff import Backoff
from .errors import PublishError

RETRYABLE = {429, 500, 502, 503, 504}


def _post(url: str, token: str, body: bytes, timeout: float) -> tuple[int, dict, Optional[str]]:
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"{}"), None
    except urllib.error.HTTPError as err:
        text = err.read()
        try:
            parsed = json.loads(text or b"{}")
        except ValueError:
            parsed = {"error": {"message": text.decode(errors="replace")}}
        return err.code, parsed, err.headers.get("retry-after")


async def publish(
    base_url: str,
    token: str,
    signal: dict,
    *,
    attempts: int = 8,
    backoff: Optional[Backoff] = None,
    timeout: float = 10.0,
) -> dict:
    """POST /signals; returns ``{"seq", "id", "created_at", "status"}`` (201 new, 200 already stored)."""
    backoff = backoff or Backoff(base=0.2, cap=5.0)
    body = json.dumps(signal).encode()
    url = base_url.rstrip("/") + "/signals"
    last: Optional[Exception] = None
    for attempt in range(attempts):
        try:
            status, parsed, retry_after = await asyncio.to_thread(_post, url, token, body, timeout)
        except (OSError, urllib.error.URLError) as err:  # refused, reset, timed out: nothing known
            last = err
            await asyncio.sleep(backoff.next_delay())
            continue
        if status in (200, 201):
            return {**parsed, "status": status}
        last = PublishError(status, parsed)
        if status not in RETRYABLE:
            raise last
        delay = backoff.next_delay()
        if retry_after and retry_after.isdigit():
            delay = max(delay, float(retry_after))
        if attempt < attempts - 1:
            await asyncio.sleep(delay)
    raise last if isinstance(last, PublishError) else PublishError(0, {"error": {"message": str(last)}})
