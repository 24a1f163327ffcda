"""All tables, imported so that ``Base.metadata`` knows them.

One module per domain; add a module here when a domain gains tables (and an
Alembic migration in ``migrations/versions``).
"""

from tracker.store.tables.claims import Claim, Dispute, Document, HttpCacheEntry
from tracker.store.tables.core import CrawlError, Crosswalk, Event, Model, Observation, Run
from tracker.store.tables.openrouter import OpenRouterAlias, OpenRouterListing, Price

__all__ = [
    "Claim",
    "CrawlError",
    "Crosswalk",
    "Dispute",
    "Document",
    "Event",
    "HttpCacheEntry",
    "Model",
    "Observation",
    "OpenRouterAlias",
    "OpenRouterListing",
    "Price",
    "Run",
]
