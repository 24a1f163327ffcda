"""Peer catalogs weighed against the primary sources (see docs/peers.md)."""
