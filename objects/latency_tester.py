"""LatencyTester: latency measured from a Durable Object with location hints (PLAYGROUND §5.10).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class LatencyTester(DurableObject):
    pass
