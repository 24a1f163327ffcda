"""What a build keeps for the next one besides the chunks' summaries and export spans: the HTML of each
models-table row by its summary's digest, the site's templates compiled, and the models' sort orders.

A rebuild after one price change renders ~15 listing pages of 100 rows each, of which one row changed,
and compiles a dozen templates it cannot avoid: both cost more than reading the rest of the build's
inputs. Both are kept in the build's cache file (:data:`tracker.site.reading.CACHE`, written only by
builds, in their own folder) under the build's salt (settings, templates and the site's code), so a
change of any of them drops them. A row's HTML is what ``_rows.html`` made of the summary whose
:func:`~tracker.site.summaries.summary_digest` it is kept under (the same digest the listing pages'
input hashes are made of); a compiled template carries the checksum of its source, which Jinja
checks before using it. A sort order is kept as model ids with the summary digests it was made of:
the next build moves only the models whose summary changed (:func:`tracker.site.summaries.merge_order`)
instead of sorting every model six times.
"""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


class TemplateCache(BytecodeCache):
    """Jinja's bytecode cache backed by a dict (kept in the build's cache file); ``prefix`` keeps the
    templates of differently configured environments apart."""

    def __init__(self, stored: dict[str, bytes], prefix: str) -> None:
        self.stored, self.prefix = stored, prefix

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.stored.get(f"{self.prefix}:{bucket.key}")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.stored[f"{self.prefix}:{bucket.key}"] = bucket.bytecode_to_string()


class Reused:
    """The rows' HTML and compiled templates of the last build (empty when there is none or its salt
    differs), and what this build adds to them."""

    def __init__(self, raw: Mapping[str, object] | None = None) -> None:
        rows = raw.get("rows") if raw else None
        templates = raw.get("templates") if raw else None
        #: Summary digest → the row's HTML (with the table's root placeholder).
        self.rows: dict[bytes, str] = dict(rows) if isinstance(rows, dict) else {}
        self.templates: dict[str, bytes] = dict(templates) if isinstance(templates, dict) else {}
        orders = raw.get("orders") if raw else None
        sorts, digests = orders if isinstance(orders, tuple) and len(orders) == 2 else ({}, {})
        usable = isinstance(sorts, dict) and isinstance(digests, dict)
        #: Sort → model ids in that order, and the summary digests (by model id) they were sorted from.
        self.orders: dict[str, list[int]] = dict(sorts) if usable else {}
        self.order_digests: dict[int, bytes] = dict(digests) if usable else {}

    def compile_into(self, env: Environment, prefix: str) -> None:
        """Compiled templates of ``env`` come from (and go to) this cache."""
        env.bytecode_cache = TemplateCache(self.templates, prefix)

    def to_raw(
        self,
        rows: Mapping[bytes, str],
        orders: tuple[Mapping[str, list[int]], Mapping[int, bytes]] | None = None,
    ) -> dict[str, object]:
        """What to keep: ``rows`` (the rows of this build's models, see :meth:`Tables.known_rows`), the
        compiled templates and ``orders`` (:meth:`Tables.known_orders`; default: the ones kept); not
        copied: the build keeps the whole rows mapping once, pickled as it is."""
        return {"rows": rows, "templates": self.templates, "orders": orders or (self.orders, self.order_digests)}


def compile_templates(kept: Reused, pages_env: Environment) -> None:
    """The build's environment and the shared one (table rows, model pages) compile through ``kept``."""
    from tracker.site.render import environment

    shared = environment()
    kept.compile_into(shared, "shared")
    if pages_env is not shared:
        kept.compile_into(pages_env, "pages")
