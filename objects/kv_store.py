"""KVStore: Workers KV used from inside a Durable Object (PLAYGROUND §5.9).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class KVStore(DurableObject):
    pass
