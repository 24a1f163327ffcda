"""Claims about models: entity linking, the ledger (precedence, tolerances, disputes), ``tracker check``.

* :mod:`tracker.claims.linking` — mentions in prose → models (never by substring);
* :mod:`tracker.claims.records` — extracted claims → ``claims`` rows with reporter and provenance;
* :mod:`tracker.claims.primary` — the APIs' current values as claims;
* :mod:`tracker.claims.tolerance` — when two values agree (pure);
* :mod:`tracker.claims.ledger` — shown / consistent / disputed, disputes and their events;
* the fact-check of one article is :mod:`tracker.update.check` (it runs the update's claim steps);
* :mod:`tracker.claims.listing` — claims as rows for ``tracker claims``.
"""
