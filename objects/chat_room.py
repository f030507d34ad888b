"""ChatRoom: a chat room over WebSockets with message history (PLAYGROUND §5.2).

Not ported yet: the worker answers its routes with 501 until it is.
"""

from workers import DurableObject


class ChatRoom(DurableObject):
    pass
