"""Settings from a TOML file and environment variables.

Only the CLI (and the scheduler) read configuration; library functions take
explicit arguments. There is no module-level settings instance: call
:func:`load_settings` and pass the result down.

Precedence, highest first: environment variables, the TOML file
(``--config`` or ``TRACKER_CONFIG``), built-in defaults.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError

DEFAULT_HF_ORGS: tuple[str, ...] = (
    "Qwen",
    "meta-llama",
    "mistralai",
    "deepseek-ai",
    "google",
    "microsoft",
    "openai",
    "moonshotai",
    "zai-org",
    "allenai",
    "nvidia",
    "ibm-granite",
    "tiiuae",
    "CohereLabs",
    "HuggingFaceTB",
    "LiquidAI",
    "MiniMaxAI",
    "baidu",
    "tencent",
    "xai-org",
    "stepfun-ai",
    "inclusionAI",
    "ServiceNow-AI",
    "swiss-ai",
)


@dataclass(frozen=True)
class HttpSettings:
    """How every spider talks HTTP."""

    user_agent: str = "tracker/0.1 (AI model-release tracker; +https://github.com/tracker-ai/tracker)"
    timeout_seconds: float = 30.0
    retries: int = 3
    concurrency: int = 4
    delay_seconds: float = 0.0
    max_response_bytes: int = 64 * 1024 * 1024
    #: Hosts the crawlers may contact; empty means any. Tests set loopback only.
    allowed_hosts: tuple[str, ...] = ()
    #: Longest Retry-After the crawler honours before giving up on a request.
    max_retry_after_seconds: float = 120.0
    autothrottle: bool = True
    obey_robots_txt: bool = True
    #: Largest feed or article page the blogs/press crawls download (bigger ones are recorded as too-large).
    max_page_bytes: int = 5 * 1024 * 1024
    #: A crawl process told to stop (SIGTERM, Ctrl-C, its timeout) gets this long to close its spider and
    #: store what arrived, waiting for the downloads in flight, before it is killed.
    stop_grace_seconds: float = 30.0


@dataclass(frozen=True)
class OpenRouterSettings:
    url: str = "https://openrouter.ai/api/v1"
    enabled: bool = True
    #: Per-provider offers (``/models/{author}/{slug}/endpoints``): ``multi`` (models with more than one
    #: provider, each model read once first), ``all``, or ``off``. Crawled as the ``offers`` source.
    offers: str = "multi"
    #: Models whose offers one crawl reads at most.
    offers_per_crawl: int = 100
    #: An unchanged listing's offers are read again after this long (a changed listing at once).
    offers_refresh_hours: float = 24
    #: Models the listing crawl stores per transaction (its own ``store_chunk``: a model is a few small rows,
    #: so a chunk this size is still a short transaction, and fewer commits make the crawl faster).
    store_chunk: int = 2500


@dataclass(frozen=True)
class HuggingFaceSettings:
    url: str = "https://huggingface.co"
    token: str | None = None
    orgs: tuple[str, ...] = DEFAULT_HF_ORGS
    #: Also list recent text-generation repos beyond the watched orgs.
    discovery: bool = False
    discovery_limit: int = 200
    #: List the watched organisations (false: only the discovery listing, which still leaves their repos to
    #: their own crawls: how a crawl worker's ``huggingface:discovery`` unit runs, docs/scaling.md).
    list_orgs: bool = True
    page_size: int = 1000
    max_card_bytes: int = 2 * 1024 * 1024
    enabled: bool = True
    #: Requests every crawl process together may send to the Hub per ``budget_seconds``, per token
    #: (shared through the database: docs/scaling.md); 0 = no shared budget.
    budget_requests: int = 0
    budget_seconds: float = 300.0


@dataclass(frozen=True)
class PeerSettings:
    """Peer catalogs (models.dev, LiteLLM, genai-prices, Epoch AI): each a URL fetched with conditional GET.

    Off by default (``tracker crawl litellm`` still works); ``enabled = true`` adds the sources ``modelsdev``,
    ``litellm``, ``genaiprices`` and ``epoch`` to ``tracker run`` and the schedule
    (``schedule.<source>_interval_minutes``).
    """

    enabled: bool = False
    modelsdev_url: str = "https://models.dev/api.json"
    litellm_url: str = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    genai_prices_url: str = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json"
    epoch_url: str = "https://epoch.ai/data/large_scale_ai_models.csv"


@dataclass(frozen=True)
class FeedSettings:
    """One configured feed or page: ``kind`` is ``vendor`` or ``press``."""

    url: str
    vendor: str
    kind: str = "vendor"
    #: ``feed`` (RSS/Atom), ``html`` or ``markdown`` (a single page), ``page`` (a page read by its content type),
    #: ``index`` (an HTML page linking to articles; hooks: ``link_*``, ``date_selector``, ``next_selector``),
    #: ``sitemap`` (a sitemap.xml or sitemap index; hooks: ``link_pattern``, ``follow_pattern``, ``since``).
    type: str = "feed"
    #: The source's name in ``tracker sources`` (the default list's id; a feed of your own may set one).
    name: str | None = None
    #: Index pages: CSS selector of the article links (default: every ``a[href]``) …
    link_selector: str | None = None
    #: … kept when their absolute URL matches this regular expression.
    link_pattern: str | None = None
    #: Index pages: CSS selector of one article's block (link and date are looked up inside it).
    item_selector: str | None = None
    #: Index pages: CSS selector of the article's date inside its block (``datetime`` attribute or text).
    date_selector: str | None = None
    #: Index pages: CSS selector of the link to the next (older) page.
    next_selector: str | None = None
    #: Index pages followed per crawl through ``next_selector``; sitemaps followed per sitemap index.
    max_pages: int = 20
    #: Sitemaps (``type = "sitemap"``): the sitemaps of an index to follow (a regular expression; default: all).
    follow_pattern: str | None = None
    #: Sitemaps: leave out URLs whose ``lastmod`` is older than this date (``2025-01-31``).
    since: str | None = None


@dataclass(frozen=True)
class SourcesSettings:
    """The shipped default source list (``tracker/sources/data/default_sources.toml``) and the crawl frontier."""

    #: Crawl the default vendor blogs, release channels and press (``tracker sources`` lists them).
    defaults: bool = True
    #: Ids of default sources not to crawl.
    disable: tuple[str, ...] = ()
    #: Fetch the default sources through this prefix instead (``https://host/path`` → ``{mirror}/host/path``).
    mirror: str | None = None
    #: First wait before an article that failed is fetched again (doubles per attempt, at most a week).
    retry_minutes: float = 30
    #: A listing that answered an error or nothing this many crawls in a row is flagged broken.
    broken_after_runs: int = 2


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    #: ``none``, ``starttls`` or ``ssl``.
    security: str = "none"
    user: str | None = None
    password: str | None = None
    mail_from: str = "tracker <tracker@localhost>"
    timeout_seconds: float = 30.0
    #: Transmissions per recipient and issue before a transient (4xx) failure becomes permanent.
    max_attempts: int = 3
    #: Wait before retrying transient failures (doubles per attempt).
    retry_delay_seconds: float = 5.0
    #: Extra CA certificates (PEM) to trust for starttls/ssl, e.g. a private relay's.
    ca_file: str | None = None


@dataclass(frozen=True)
class NewsletterSettings:
    archive_dir: str = "newsletter"
    timezone: str = "UTC"
    #: Net price changes smaller than this (in percent) are left out of the digest.
    price_change_threshold_percent: str = "2"
    #: Secret for signing one-click unsubscribe links.
    unsubscribe_secret: str = "change-me"
    #: Where the unsubscribe endpoint lives (absolute URL prefix).
    unsubscribe_url: str = "https://tracker.example.org/unsubscribe"
    send: bool = False


@dataclass(frozen=True)
class SiteSettings:
    out_dir: str = "site"
    #: Absolute URL of the published site, used for links in mail and feeds.
    base_url: str = "https://tracker.example.org/"
    #: Shown in the page header and the Atom feed.
    title: str = "tracker"
    #: Events per page of the change log.
    changes_per_page: int = 100
    #: Newest events in the Atom feed.
    feed_entries: int = 100
    #: Offer a SQLite copy of the public tables for download (``data/tracker.db``).
    download_database: bool = True
    #: Processes rendering model pages: 0 = one per CPU (at most 4), 1 = in the calling process.
    workers: int = 0


@dataclass(frozen=True)
class ScheduleSettings:
    #: Minutes between two crawls of a source (fractions allowed); ``<source>_interval_minutes``.
    openrouter_interval_minutes: float = 60
    huggingface_interval_minutes: float = 360
    blogs_interval_minutes: float = 180
    press_interval_minutes: float = 180
    #: Peer catalogs (``peers.enabled``): they change a few times a day at most; a 304 costs one request.
    modelsdev_interval_minutes: float = 720
    litellm_interval_minutes: float = 720
    genaiprices_interval_minutes: float = 1440
    epoch_interval_minutes: float = 1440
    #: OpenRouter per-provider offers (bounded and incremental: a crawl of unchanged listings asks nothing).
    offers_interval_minutes: float = 180
    #: For a source without its own ``<source>_interval_minutes``.
    default_interval_minutes: float = 180
    #: The weekly newsletter: ``mon 08:00`` (weekday and time) or a 5-field crontab line, in newsletter.timezone.
    newsletter_cron: str = "mon 08:00"
    #: A source without a successful crawl for this long is flagged stale by ``tracker status``.
    stale_after_hours: float = 48
    #: A source that returned nothing this many runs in a row is flagged by ``tracker status``.
    empty_runs_before_flag: int = 3
    #: A crawl still running after this long is stopped (and recorded as failed or partial).
    crawl_timeout_minutes: float = 240
    #: A job lock not renewed for this long may be taken over by another host (on this host: once its process is gone).
    lease_seconds: float = 120
    #: On SIGTERM, wait this long for running jobs to finish before stopping their crawl processes.
    stop_grace_seconds: float = 600
    #: Rebuild the site after a scheduled crawl that changed something, and after the newsletter.
    site_after_crawls: bool = True


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///tracker.db"
    http: HttpSettings = field(default_factory=HttpSettings)
    openrouter: OpenRouterSettings = field(default_factory=OpenRouterSettings)
    huggingface: HuggingFaceSettings = field(default_factory=HuggingFaceSettings)
    peers: PeerSettings = field(default_factory=PeerSettings)
    feeds: tuple[FeedSettings, ...] = ()
    sources: SourcesSettings = field(default_factory=SourcesSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    newsletter: NewsletterSettings = field(default_factory=NewsletterSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    #: A listing without a stated total delists only if it reaches this share of the last complete one.
    min_listing_share: float = 0.9
    #: Records a crawl stores per transaction (each chunk commits on its own; issue 17).
    store_chunk: int = 300


#: Environment variable -> (section, field). ``None`` section = top level.
ENV_VARS: dict[str, tuple[str | None, str]] = {
    "TRACKER_DATABASE_URL": (None, "database_url"),
    "TRACKER_OPENROUTER_URL": ("openrouter", "url"),
    "TRACKER_HF_URL": ("huggingface", "url"),
    "HF_TOKEN": ("huggingface", "token"),
    "TRACKER_HF_ORGS": ("huggingface", "orgs"),
    "TRACKER_HF_DISCOVERY": ("huggingface", "discovery"),
    "TRACKER_USER_AGENT": ("http", "user_agent"),
    "TRACKER_ALLOWED_HOSTS": ("http", "allowed_hosts"),
    "TRACKER_HTTP_RETRIES": ("http", "retries"),
    "TRACKER_HTTP_TIMEOUT": ("http", "timeout_seconds"),
    "TRACKER_OBEY_ROBOTS_TXT": ("http", "obey_robots_txt"),
    "TRACKER_SMTP_HOST": ("smtp", "host"),
    "TRACKER_SMTP_PORT": ("smtp", "port"),
    "TRACKER_SMTP_SECURITY": ("smtp", "security"),
    "TRACKER_SMTP_USER": ("smtp", "user"),
    "TRACKER_SMTP_PASSWORD": ("smtp", "password"),
    "TRACKER_MAIL_FROM": ("smtp", "mail_from"),
    "TRACKER_NEWSLETTER_DIR": ("newsletter", "archive_dir"),
    "TRACKER_NEWSLETTER_TIMEZONE": ("newsletter", "timezone"),
    "TRACKER_UNSUBSCRIBE_SECRET": ("newsletter", "unsubscribe_secret"),
    "TRACKER_UNSUBSCRIBE_URL": ("newsletter", "unsubscribe_url"),
    "TRACKER_SITE_DIR": ("site", "out_dir"),
    "TRACKER_SITE_URL": ("site", "base_url"),
    "TRACKER_DEFAULT_SOURCES": ("sources", "defaults"),
    "TRACKER_SOURCES_MIRROR": ("sources", "mirror"),
}


def load_settings(config_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from defaults, the TOML file and ``env``."""
    env = os.environ if env is None else env
    path = config_path or env.get("TRACKER_CONFIG") or None
    data: dict[str, Any] = {}
    if path:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"configuration file not found: {p}") from exc
        except IsADirectoryError as exc:
            raise ConfigError(f"configuration file {p} is a directory, not a file") from exc
        except OSError as exc:
            raise ConfigError(f"cannot read configuration file {p}: {exc.strerror or exc}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"configuration file {p} is not valid TOML: {' '.join(str(exc).split())[:200]}") from exc
    for var, (section, name) in ENV_VARS.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        target = data if section is None else data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"[{section}] in the configuration file must be a table")
        target[name] = value
    return validate_settings(_build(Settings, data, ""))


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'configuration'} must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s) in {where or 'configuration'}: {', '.join(unknown)}")
    kwargs = {}
    for name, raw in data.items():
        kwargs[name] = _coerce(hints[name], raw, f"{where}{'.' if where else ''}{name}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where or 'configuration'}: {exc}") from exc


def _coerce(tp: Any, raw: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if raw is None:
            return None
        return _coerce(inner[0], raw, where)
    if dataclasses.is_dataclass(tp):
        return _build(tp, raw, where)
    if origin is tuple:
        items = raw
        if isinstance(raw, str):
            items = [s.strip() for s in raw.split(",") if s.strip()]
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{where} must be a list")
        return tuple(_coerce(args[0], item, where) for item in items)
    if tp is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if isinstance(raw, str) and raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{where} must be true or false, not {raw!r}")
    if tp in (int, float):
        if isinstance(raw, bool):
            raise ConfigError(f"{where} must be a number, not {raw!r}")
        try:
            return tp(raw)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ConfigError(f"{where} must be a number, not {str(raw)[:60]!r}") from exc
    if tp is str:
        if not isinstance(raw, str | int | float):
            raise ConfigError(f"{where} must be a string")
        return str(raw)
    return raw


# --------------------------------------------------------------------------- validation

#: ``backend`` / ``backend+driver`` names a database URL may use.
#: How a configured feed is read (``[[feeds]] type``).
FEED_TYPES = ("feed", "index", "sitemap", "html", "markdown", "page")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
#: Settings that must be at least 1, at least 0, or above 0 (``section.field``).
_AT_LEAST_ONE = (
    "http.concurrency",
    "http.max_response_bytes",
    "http.max_page_bytes",
    "huggingface.discovery_limit",
    "huggingface.page_size",
    "huggingface.max_card_bytes",
    "smtp.max_attempts",
    "site.changes_per_page",
    "site.feed_entries",
    "smtp.port",
    "store_chunk",
    "openrouter.store_chunk",
)
_AT_LEAST_ZERO = (
    "http.retries",
    "http.delay_seconds",
    "http.max_retry_after_seconds",
    "http.stop_grace_seconds",
    "smtp.retry_delay_seconds",
    "site.workers",
    "schedule.empty_runs_before_flag",
    "schedule.crawl_timeout_minutes",
    "schedule.stop_grace_seconds",
    "huggingface.budget_requests",
)
_ABOVE_ZERO = (
    "http.timeout_seconds",
    "smtp.timeout_seconds",
    "schedule.openrouter_interval_minutes",
    "schedule.huggingface_interval_minutes",
    "schedule.blogs_interval_minutes",
    "schedule.press_interval_minutes",
    "schedule.default_interval_minutes",
    "schedule.stale_after_hours",
    "schedule.lease_seconds",
    "huggingface.budget_seconds",
)
_WEB_URLS = ("openrouter.url", "huggingface.url", "site.base_url", "newsletter.unsubscribe_url")


def validate_settings(settings: Settings) -> Settings:
    """``settings`` if every value is usable (ranges, URL schemes, database dialects); else :class:`ConfigError`."""
    import math
    from urllib.parse import urlsplit
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    def value(path: str) -> Any:
        section, _, name = path.partition(".")
        return getattr(getattr(settings, section), name) if name else getattr(settings, section)

    def number(path: str) -> float:
        got = value(path)
        if isinstance(got, float) and not math.isfinite(got):
            raise ConfigError(f"{path} must be a finite number, not {got}")
        return got

    for path in _AT_LEAST_ONE:
        if number(path) < 1:
            raise ConfigError(f"{path} must be at least 1, not {value(path)}")
    for path in _AT_LEAST_ZERO:
        if number(path) < 0:
            raise ConfigError(f"{path} must not be negative, not {value(path)}")
    for path in _ABOVE_ZERO:
        if number(path) <= 0:
            raise ConfigError(f"{path} must be more than 0, not {value(path)}")
    if settings.smtp.port > 65535:
        raise ConfigError(f"smtp.port must be a TCP port (1–65535), not {settings.smtp.port}")
    if not (isinstance(settings.min_listing_share, float | int) and 0 < settings.min_listing_share <= 1):
        raise ConfigError(f"min_listing_share must be above 0 and at most 1, not {settings.min_listing_share}")
    if settings.smtp.security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"smtp.security must be none, starttls or ssl, not {settings.smtp.security!r}")

    def web_url(path: str, url: str) -> None:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            raise ConfigError(f"{path} is not a URL: {url!r} ({exc})") from exc
        if parts.scheme not in ("http", "https") or not host:
            raise ConfigError(f"{path} must be an http:// or https:// URL with a host, not {url!r}")

    for path in _WEB_URLS:
        web_url(path, value(path))
    for index, feed in enumerate(settings.feeds):
        web_url(f"feeds[{index}].url", feed.url)
        if feed.kind not in ("vendor", "press"):
            raise ConfigError(f"feeds[{index}].kind must be vendor or press, not {feed.kind!r}")
        if feed.type not in FEED_TYPES:
            raise ConfigError(f"feeds[{index}].type must be {', '.join(FEED_TYPES)}, not {feed.type!r}")
        for hook in ("link_pattern", "follow_pattern"):
            try:
                re.compile(getattr(feed, hook) or "")
            except re.error as exc:
                raise ConfigError(f"feeds[{index}].{hook} is not a regular expression: {exc}") from exc
        if feed.since and not _DATE.match(feed.since):
            raise ConfigError(f"feeds[{index}].since must be a date like 2025-01-31, not {feed.since!r}")
    scheme = settings.database_url.split(":", 1)[0].lower() if ":" in settings.database_url else ""
    if scheme not in DATABASE_SCHEMES:
        hint = " (did you mean postgresql://?)" if scheme in ("postgres", "pg", "psql") else ""
        raise ConfigError(
            f"database_url must be a sqlite:/// or postgresql:// URL, not {settings.database_url.split('@')[-1]!r}"
            f"{hint}"
        )
    try:
        ZoneInfo(settings.newsletter.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"newsletter.timezone {settings.newsletter.timezone!r} is not a known time zone") from exc
    return settings
