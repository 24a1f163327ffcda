"""All tables, imported so that ``Base.metadata`` knows them.

One module per domain. Every module of this package is imported here so its
tables join ``Base.metadata``; add a module (and an Alembic migration in
``migrations/versions``) when a domain gains tables.
"""

import importlib
import pkgutil

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

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
