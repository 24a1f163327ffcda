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

from array import array
from collections.abc import Mapping, Sequence

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
        #: Sort → model ids in that order, and the summary digests (by model id) they were sorted from.
        self.orders, self.order_digests = unpack_orders(raw.get("orders") if raw else None)

    def compile_into(self, env: Environment, prefix: str) -> None:
        """Compiled templates of ``env`` come from (and go to) this cache."""
        env.bytecode_cache = TemplateCache(self.templates, prefix)

    def to_raw(
        self,
        rows: Mapping[bytes, str],
        orders: tuple[Mapping[str, Sequence[int]], Mapping[int, bytes]] | None = None,
    ) -> dict[str, object]:
        """What to keep: ``rows`` (the rows of this build's models, see :meth:`Tables.known_rows`), the
        compiled templates and ``orders`` (:meth:`Tables.known_orders`; default: the ones kept); not
        copied: the build keeps the whole rows mapping once, pickled as it is."""
        sorts, digests = orders if orders is not None else (self.orders, self.order_digests)
        return {"rows": rows, "templates": self.templates, "orders": pack_orders(sorts, digests)}


def pack_orders(sorts: Mapping[str, Sequence[int]], digests: Mapping[int, bytes]) -> dict[str, object]:
    """PURE: sort orders (sort → model ids) and the digests they were made of as a few byte strings
    (machine integers, digests of one size end to end), which pickle and load in a few milliseconds
    where lists and dicts of 10,000 entries take tens; nothing is kept when the digests' sizes differ."""
    size = len(next(iter(digests.values()), b""))
    if not sorts or not size or any(len(d) != size for d in digests.values()):
        return {}
    return {
        "sorts": {sort: array("q", ids).tobytes() for sort, ids in sorts.items()},
        "ids": array("q", digests).tobytes(),
        "digests": b"".join(digests.values()),
        "size": size,
    }


def unpack_orders(raw: object) -> tuple[dict[str, Sequence[int]], dict[int, bytes]]:
    """PURE: what :func:`pack_orders` made (empty when it is not of that shape)."""
    if not isinstance(raw, dict) or not raw:
        return {}, {}
    sorts, ids, blob, size = raw.get("sorts"), raw.get("ids"), raw.get("digests"), raw.get("size")
    if not (isinstance(sorts, dict) and isinstance(ids, bytes) and isinstance(blob, bytes) and isinstance(size, int)):
        return {}, {}
    try:
        orders: dict[str, Sequence[int]] = {}
        for sort, packed in sorts.items():
            ids_in_order = array("q")
            ids_in_order.frombytes(packed)
            orders[sort] = ids_in_order
        keys = array("q")
        keys.frombytes(ids)
    except (TypeError, ValueError):
        return {}, {}
    if size <= 0 or len(blob) != len(keys) * size:
        return {}, {}
    return orders, {key: blob[n * size : (n + 1) * size] for n, key in enumerate(keys)}


def compile_templates(kept: Reused, pages_env: Environment) -> None:
    """The build's environment and the shared one (table rows, model pages) compile through ``kept``."""
    from tracker.site.render import environment

    shared = environment()
    kept.compile_into(shared, "shared")
    if pages_env is not shared:
        kept.compile_into(pages_env, "pages")
