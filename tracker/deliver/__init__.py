"""Delivering mail: subscribers, signed unsubscribe tokens, MIME messages, SMTP and the dry-run outbox.

Nothing here knows what a newsletter says; :mod:`tracker.newsletter.send`
puts the pieces together.
"""
