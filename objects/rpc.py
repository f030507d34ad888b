"""MyDurableObject: RPC with an RpcTarget and promise pipelining (PLAYGROUND §5.8).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class MyDurableObject(DurableObject):
    pass
