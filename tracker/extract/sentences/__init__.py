"""Rules for claims stated in sentences, one module per attribute family, around one shared sentence context
(:mod:`tracker.extract.sentences.context`). :mod:`tracker.extract.prose` runs them in order."""
