"""The newsletter archive: one page per archived issue (with its ``data.json``) and the index."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.site.archive import ArchivedIssue
from tracker.site.contexts import IssueSummary, NewsletterIndexPage, NewsletterIssuePage
from tracker.site.generators import FileOut, Outputs, PageOut
from tracker.urls import newsletter_path


def issue_summaries(archived: Sequence[ArchivedIssue]) -> list[IssueSummary]:
    """The archived issues, oldest first, as the home page and the archive link them."""
    return [IssueSummary(i.week, i.subject, newsletter_path(i.week)) for i in archived]


def newsletter_pages(archived: Sequence[ArchivedIssue]) -> Outputs:
    summaries = issue_summaries(archived)
    for index, issue in enumerate(archived):
        path = newsletter_path(issue.week)
        data_path = None
        if issue.data_json is not None:
            data_path = f"{path}data.json"
            yield FileOut(data_path, issue.data_json)
        yield PageOut(
            "newsletter_issue.html",
            NewsletterIssuePage(
                path=path,
                title=issue.subject,
                section="newsletter",
                week=issue.week,
                subject=issue.subject,
                text=issue.text,
                data_path=data_path,
                prev=summaries[index - 1] if index > 0 else None,
                next=summaries[index + 1] if index + 1 < len(summaries) else None,
            ),
        )
    yield PageOut(
        "newsletter_index.html",
        NewsletterIndexPage(
            path="newsletter/", title="Newsletter archive", section="newsletter", issues=tuple(reversed(summaries))
        ),
    )
