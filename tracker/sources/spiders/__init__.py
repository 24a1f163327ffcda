"""Spiders: one base class per kind of source, thin subclasses per source."""
