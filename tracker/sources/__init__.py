"""The Scrapy side: settings, items, middlewares, spiders, pipelines, runner.

Spiders only map responses to raw items with provenance; pipelines validate,
normalize (``tracker.normalize``) and store (``tracker.store``).
"""
