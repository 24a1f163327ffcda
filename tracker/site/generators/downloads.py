"""The exports (models and price history as JSON and CSV) and the downloads page."""

from __future__ import annotations

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


def download_files(inputs: SiteInputs, *, database: bool) -> Outputs:
    """The export files, then the downloads page (listing :data:`DATABASE` when ``database``)."""
    records = exports.model_records(inputs.data, inputs.summaries)
    prices = list(exports.price_records(inputs.data.models, inputs.data.prices))
    files = [
        (
            "models.json",
            "data/models.json",
            "Current models: shown values, current base prices, sources' ids.",
            exports.to_json(records),
        ),
        ("models.csv", "data/models.csv", "The same as CSV.", exports.to_csv(records, exports.MODEL_COLUMNS)),
        (
            "prices.json",
            "data/prices.json",
            "Price history: every distinct price of every offer, with the time span it held.",
            exports.to_json(prices),
        ),
        ("prices.csv", "data/prices.csv", "The same as CSV.", exports.to_csv(prices, exports.PRICE_COLUMNS)),
    ]
    downloads = []
    for label, path, description, content in files:
        encoded = content.encode("utf-8")
        yield FileOut(path, encoded)
        downloads.append(Download(label, path, description, len(encoded)))
    if database:
        downloads.append(DATABASE)
    yield PageOut("data.html", DataPage(path=DATA, title="Downloads", section="data", downloads=tuple(downloads)))
