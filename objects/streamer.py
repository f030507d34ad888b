"""Streamer: a streamed response the worker cancels after five chunks (PLAYGROUND §5.7).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class Streamer(DurableObject):
    pass
