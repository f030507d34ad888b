"""Batcher: batches request bodies and processes them from an alarm (PLAYGROUND §5.3).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class Batcher(DurableObject):
    pass
