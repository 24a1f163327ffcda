"""Change events: typed dataclasses, content hashing and the pure diff."""
