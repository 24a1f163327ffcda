"""The open disputes, newest first, each with the shown claim and the ones the ledger judged contrary."""

from __future__ import annotations

from tracker.site.contexts import DisputesPage
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.model_page import dispute_views


def disputes_page(inputs: SiteInputs) -> Outputs:
    data, summaries = inputs.data, inputs.summaries
    items = []
    for model_id, disputes in data.disputes.items():
        open_ones = [d for d in disputes if d.status == "open"]
        if not open_ones or model_id not in summaries:
            continue
        for view in dispute_views(open_ones, data.claims.get(model_id, ())):
            items.append((summaries[model_id], view))
    items.sort(key=lambda item: (-item[1].opened_at.timestamp(), item[0].key, item[1].attribute))
    yield PageOut(
        "disputes.html",
        DisputesPage(path="disputes/", title="Disputed claims", section="disputes", items=tuple(items)),
    )
