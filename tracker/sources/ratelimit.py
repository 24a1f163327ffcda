"""How long a server asks us to wait: ``Retry-After`` and ``RateLimit`` headers."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

_T_PARAM = re.compile(r"(?:^|;)\s*t\s*=\s*(\d+(?:\.\d+)?)")


def retry_delay(headers: dict[str, str], *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait before retrying, or None when the headers do not say.

    Understands ``Retry-After`` (seconds or an HTTP date), the IETF
    ``RateLimit: "name";r=0;t=55`` header (as sent by the Hugging Face Hub) and
    ``RateLimit-Reset`` / ``X-RateLimit-Reset`` in seconds.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        value = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", value):
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            now = now or dt.datetime.now(dt.UTC)
            return max(0.0, (when - now).total_seconds())
    ratelimit = lowered.get("ratelimit")
    if ratelimit:
        match = _T_PARAM.search(ratelimit)
        if match:
            return float(match.group(1))
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        reset = lowered.get(name)
        if reset and re.fullmatch(r"\d+(\.\d+)?", reset.strip()):
            seconds = float(reset.strip())
            # Some servers send an epoch timestamp rather than a delay.
            if seconds > 10**9:
                seconds = seconds - (now or dt.datetime.now(dt.UTC)).timestamp()
            return max(0.0, seconds)
    return None
