"""The static site: ``build_site`` renders the database into a self-contained folder.

Layout: ``queries`` reads the database once into plain rows, ``summaries`` and
``model_page`` turn rows into the page contexts of ``contexts``, ``render`` holds
the Jinja environment, ``writer`` writes only files whose content changed, and
``feed``, ``exports``, ``svg``, ``markdown`` produce the Atom feed, the downloads,
the price chart and sanitized card text. ``build`` ties them together.
"""
