"""spaCy resources, loaded lazily and offline, shared by every rule that needs them.

Nothing here is imported on the parse path: loading spaCy takes about a second.
"""
