"""ChatRoom: a chat room over WebSockets with a message history (PLAYGROUND §5.2).

One object per room. Sockets are accepted with the Hibernation API, so an idle room is evicted
from memory while its sockets stay open; the next message wakes a fresh instance. The room's
sockets are ``ctx.getWebSockets()``, its history the storage key ``messages`` (the last 100).

Frames and bodies are compact JSON as JavaScript writes it (``to_json``); the history and
``/chat/send`` update atomically, since the object never awaits anything but its own storage.
"""

import uuid
from urllib.parse import urlsplit

from js import Date, WebSocketPair
from pyodide.ffi import JsException
from workers import DurableObject, Response

from javascript import parse_json, to_json, truthy
from responses import compact_json, text

HELP = "Chat Room endpoint. Try /chat/ws for WebSocket or /chat/messages"
HISTORY_LIMIT = 100
NO_STATUS = 1005  # the client's Close frame carried no code; it cannot be sent back
MISSING = object()


class ChatRoom(DurableObject):
    async def fetch(self, request):
        path = urlsplit(request.url).path
        if path == "/chat/ws":
            return self.connect(request)
        if path == "/chat/messages" and request.method == "GET":
            return compact_json({"messages": await self.history()})
        if path == "/chat/send" and request.method == "POST":
            return await self.send_from_http(request)
        return text(HELP, status=404)

    def connect(self, request):
        """Accept a WebSocket: ``connected`` to it, ``user-joined`` to everyone else."""
        # The runtime lower-cases the Upgrade header of a genuine handshake.
        if (request.headers.get("Upgrade") or "").lower() != "websocket":
            return text("Expected WebSocket upgrade", status=426)
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server)
        count = len(self.ctx.getWebSockets())
        server.send(to_json({"type": "connected", "message": "Connected to chat room", "sessionCount": count}))
        self.broadcast({"type": "user-joined", "sessionCount": count}, skip=server)
        return Response(None, status=101, web_socket=client)

    async def send_from_http(self, request):
        """``POST /chat/send`` with ``{"text", "username"}``: store, broadcast, answer the message."""
        body = parse_json(await request.text())
        if body is None:
            raise TypeError("Cannot destructure property 'text' of '(intermediate value)' as it is null.")
        fields = body if isinstance(body, dict) else {}
        message_text, username = fields.get("text"), fields.get("username")
        if not (truthy(message_text) and truthy(username)):
            return compact_json({"error": "text and username required"}, status=400)
        message = new_message(message_text, username)
        await self.publish(message)
        return compact_json({"success": True, "message": message})

    async def webSocketMessage(self, ws, message):
        try:
            await self.receive_frame(message)
        except Exception:
            ws.send(to_json({"type": "error", "message": "Invalid message format"}))

    async def webSocketClose(self, ws, code, reason, wasClean):
        if code != NO_STATUS:
            ws.close(code, reason)

    async def webSocketError(self, ws, error):
        pass  # the runtime drops the socket; nobody is told

    async def receive_frame(self, message):
        """A frame ``{"type": "message", "text", "username"}`` is published; other values are ignored."""
        # JSON.parse(String(buffer)) fails for a binary frame, as in the original.
        data = parse_json(message if isinstance(message, str) else "[object ArrayBuffer]")
        if data is None:
            raise TypeError("Cannot read properties of null (reading 'type')")
        if not isinstance(data, dict) or data.get("type") != "message":
            return
        username = data.get("username")
        await self.publish(new_message(data.get("text", MISSING), username if truthy(username) else "Anonymous"))

    async def history(self):
        """The stored messages, oldest first."""
        return await self.ctx.storage.get("messages") or []

    async def publish(self, message):
        """Append ``message`` to the history (the last 100 are kept) and send it to every socket."""
        messages = await self.history()
        messages.append(message)
        await self.ctx.storage.put("messages", messages[-HISTORY_LIMIT:])
        self.broadcast({"type": "message", "message": message})

    def broadcast(self, data, skip=None):
        """Send ``data`` to every socket of the room but ``skip``; a closing socket is passed over."""
        frame = to_json(data)
        for ws in self.ctx.getWebSockets():
            if ws != skip:
                try:
                    ws.send(frame)
                except JsException:
                    pass


def new_message(message_text, username):
    """A message with a new id and the current time; ``text`` is left out when it is MISSING."""
    message = {"id": str(uuid.uuid4())}
    if message_text is not MISSING:
        message["text"] = message_text
    message["username"] = username
    message["timestamp"] = Date.now()
    return message
