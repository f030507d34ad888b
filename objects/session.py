"""Session: session data that expires after 30 s of inactivity (PLAYGROUND §5.6).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class Session(DurableObject):
    pass
