"""Peer catalogs (models.dev, LiteLLM, genai-prices, Epoch AI): one PURE normalizer per format.

Each ``parse_*`` takes the decoded file and returns a :class:`~tracker.normalize.peers.types.CatalogParse`:
the usable entries, and every entry that could not be used with its reason. Nothing is dropped silently.
"""
