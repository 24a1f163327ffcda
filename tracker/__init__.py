"""tracker: an AI model-release tracker.

Every value carries its source, its time and its quote; primary sources are
weighed above press; contradictions are flagged, not averaged away.
"""

__version__ = "0.1.0"
