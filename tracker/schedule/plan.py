"""Which jobs ``tracker schedule`` runs, and when: built from the configuration.

* ``crawl:<source>`` for every enabled source, every ``<source>_interval_minutes``
  (``default_interval_minutes`` for a source without its own setting);
* ``newsletter`` on ``newsletter_cron`` in ``newsletter.timezone`` (default Monday 08:00 UTC);
* ``site`` is not on a clock: it is requested after a crawl that changed something
  and after the newsletter (see :mod:`tracker.schedule.daemon`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.config import Settings
from tracker.errors import ConfigError
from tracker.newsletter.week import timezone
from tracker.sources.registry import enabled_sources

SITE = "site"
NEWSLETTER = "newsletter"
CRAWL_PREFIX = "crawl:"

_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")
_DAYS = re.compile(r"^(\*|daily|(mon|tue|wed|thu|fri|sat|sun)([-,](mon|tue|wed|thu|fri|sat|sun))*)$")


def crawl_job(source: str) -> str:
    return f"{CRAWL_PREFIX}{source}"


def source_of(job: str) -> str | None:
    return job.removeprefix(CRAWL_PREFIX) if job.startswith(CRAWL_PREFIX) else None


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: its name (also its lock and job-store id), trigger and description."""

    name: str
    trigger: BaseTrigger
    #: Human description; also the signature stored in the job store (a change reschedules the job).
    description: str
    #: Run once as soon as the job is first added (crawls: fresh data right after the first start).
    first_run_now: bool
    #: Two scheduled runs closer than this count as the same tick (two schedulers firing at once).
    tick_tolerance: dt.timedelta


def interval_minutes(settings: Settings, source: str) -> float:
    schedule = settings.schedule
    value = getattr(schedule, f"{source}_interval_minutes", schedule.default_interval_minutes)
    if value <= 0:
        raise ConfigError(f"schedule.{source}_interval_minutes must be more than 0, not {value}")
    return float(value)


def newsletter_trigger(cron: str, tz_name: str) -> CronTrigger:
    """``mon 08:00`` (weekday names, ``mon-fri``, ``*`` or ``daily``, then HH:MM) or ``0 8 * * mon``."""
    tz = timezone(tz_name)
    text = " ".join(cron.lower().split())
    parts = text.split(" ")
    try:
        if len(parts) == 5:
            if re.search(r"\d", parts[4]):
                raise ConfigError(
                    f"schedule.newsletter_cron {cron!r}: write the weekday as a name (mon…sun): "
                    "cron and APScheduler number the days differently"
                )
            return CronTrigger.from_crontab(text, timezone=tz)
        if len(parts) == 2 and _DAYS.match(parts[0]) and (time := _TIME.match(parts[1])):
            days = "*" if parts[0] in ("*", "daily") else parts[0]
            return CronTrigger(day_of_week=days, hour=int(time["hour"]), minute=int(time["minute"]), timezone=tz)
    except ValueError as exc:
        raise ConfigError(f"schedule.newsletter_cron {cron!r}: {exc}") from exc
    raise ConfigError(
        f"schedule.newsletter_cron {cron!r} is not understood: use a weekday and a time such as 'mon 08:00', "
        "or a crontab line such as '0 8 * * mon'"
    )


def plan(settings: Settings) -> list[JobSpec]:
    """The scheduled jobs for ``settings`` (crawls of every enabled source, the weekly newsletter)."""
    specs = []
    for source in enabled_sources(settings):
        minutes = interval_minutes(settings, source)
        interval = dt.timedelta(minutes=minutes)
        specs.append(
            JobSpec(
                name=crawl_job(source),
                trigger=IntervalTrigger(seconds=interval.total_seconds(), timezone=dt.UTC),
                description=f"crawl {source} every {minutes:g} min",
                first_run_now=True,
                tick_tolerance=min(interval / 2, dt.timedelta(minutes=10)),
            )
        )
    send = "build and send" if settings.newsletter.send else "build (sending is off)"
    specs.append(
        JobSpec(
            name=NEWSLETTER,
            trigger=newsletter_trigger(settings.schedule.newsletter_cron, settings.newsletter.timezone),
            description=f"newsletter: {send} at '{settings.schedule.newsletter_cron}' {settings.newsletter.timezone}",
            first_run_now=False,
            tick_tolerance=dt.timedelta(hours=1),
        )
    )
    return specs
