"""Help, menu, cancel, hand-off to a person, events, and the kind fallback (declared in ``feature.py``)."""
