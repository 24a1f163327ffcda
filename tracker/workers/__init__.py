"""Crawl workers on Postgres (``tracker worker``, ``tracker schedule --workers``): docs/scaling.md.

* :mod:`units`   PURE: the units of crawl work of a configuration, and each unit's settings
* :mod:`ticks`   PURE: which tick a source is at, what the producer defers
* :mod:`budget`  the Hub's request budget shared through the database (pure decision + the spend step)
* :mod:`budget_middleware`  the Scrapy downloader middleware that spends from it (crawl processes)
* :mod:`history` the attempts of every unit per tick (``unit_runs``)
* :mod:`queue`   the Procrastinate app, its schema in the Postgres schema ``procrastinate``
* :mod:`tasks`   the task a worker runs: crawl one unit for one tick
* :mod:`producer` the scheduler side: one task per unit per tick, stalled tasks retried
"""
