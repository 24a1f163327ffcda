"""The weekly newsletter: the week's changes as a digest, archived and sent.

* :mod:`.week` — ISO weeks in a configurable timezone;
* :mod:`.netprice` — pure: the net price change over a week, noise left out;
* :mod:`.content` — database queries → :class:`.content.IssueContext`
  (display text from :mod:`.formatting`);
* :mod:`.render` — Jinja2 templates → subject, HTML (CSS inlined) and text;
* :mod:`.archive` — ``<archive_dir>/<YYYY-Www>/`` files and re-rendering;
* :mod:`.build` — ``build_issue``; :mod:`.send` — ``send_issue``.
"""
