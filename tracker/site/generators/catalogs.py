"""The catalog-accuracy page: per peer catalog and attribute, how its values compare with the primary source."""

from __future__ import annotations

from tracker.site.catalogs import catalogs_page
from tracker.site.generators import Outputs, PageOut, SiteInputs


def catalog_pages(inputs: SiteInputs) -> Outputs:
    yield PageOut("catalogs.html", catalogs_page(inputs.data.catalogs))
