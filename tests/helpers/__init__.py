"""Test support: a loopback HTTP server, the shared corpus, database fixtures."""
