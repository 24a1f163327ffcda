"""Running the jobs by themselves: job functions, the APScheduler daemon and the database job locks.

* :mod:`tracker.schedule.plan` — which jobs run when (from the configuration);
* :mod:`tracker.schedule.jobs` — crawl a source, build the site, the newsletter (shared with ``tracker run``);
* :mod:`tracker.schedule.locks` — a lease per job in the database, so no job runs twice at once;
* :mod:`tracker.schedule.daemon` — ``tracker schedule``.
"""
