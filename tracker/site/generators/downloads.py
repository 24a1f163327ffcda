"""The exports (models and price history as JSON and CSV) and the downloads page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tracker.site import exports
from tracker.site.contexts import DataPage, Download
from tracker.site.generators import FileOut, Outputs, PageOut, SiteInputs
from tracker.site.paths import DATA

#: The database download's entry (the file itself is exported by the build, not by this generator).
DATABASE = Download(
    "tracker.db",
    "data/tracker.db",
    "SQLite database with the public tables (models, prices, events, claims, disputes, documents, "
    "Hub repositories) and the analyst views; open it with sqlite3 or Datasette.",
    None,
)


#: (label, path, description) of each export.
EXPORTS = (
    ("models.json", "data/models.json", "Current models: shown values, current base prices, sources' ids."),
    ("models.csv", "data/models.csv", "The same as CSV."),
    (
        "prices.json",
        "data/prices.json",
        "Price history: every distinct price of every offer, with the time span it held.",
    ),
    ("prices.csv", "data/prices.csv", "The same as CSV."),
)


def download_files(inputs: SiteInputs, *, database: bool, sizes: Mapping[str, int] | None = None) -> Outputs:
    """The export files, then the downloads page (listing :data:`DATABASE` when ``database``).

    With ``sizes`` (path → bytes) the exports were already written (streamed a chunk of models at a
    time, :mod:`tracker.site.reading`) and only the downloads page is produced.
    """
    if sizes is None:
        sizes = {}
        for path, content in _contents(inputs):
            encoded = content.encode("utf-8")
            yield FileOut(path, encoded)
            sizes[path] = len(encoded)
    downloads = [Download(label, path, description, sizes[path]) for label, path, description in EXPORTS]
    if database:
        downloads.append(DATABASE)
    yield PageOut("data.html", DataPage(path=DATA, title="Downloads", section="data", downloads=tuple(downloads)))


def _contents(inputs: SiteInputs) -> Iterator[tuple[str, str]]:
    records = exports.model_records(inputs.data, inputs.summaries)
    prices = list(exports.price_records(inputs.data.models, inputs.data.prices))
    yield "data/models.json", exports.to_json(records)
    yield "data/models.csv", exports.to_csv(records, exports.MODEL_COLUMNS)
    yield "data/prices.json", exports.to_json(prices)
    yield "data/prices.csv", exports.to_csv(prices, exports.PRICE_COLUMNS)
