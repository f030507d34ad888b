"""RateLimiter: a token-bucket rate limiter refilled by an alarm (PLAYGROUND §5.4).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class RateLimiter(DurableObject):
    pass
