"""Persistence: declarative base, tables, engine/session factory, ingest, queries."""
