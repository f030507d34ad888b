// Reference worker for `python -m bench.compare` (pyworker vs the real `wrangler dev`).
//
// The same counter routes as pyworker's example app (PLAYGROUND §5.1: one SQLite-backed object named
// "global-counter", storage key "counter"), a ChatRoom speaking the example app's WebSocket protocol
// (§5.2: hibernatable sockets, `connected` / `user-joined` / `message` frames, the last 100 messages in
// the storage key "messages"), and /bench/storage?n=N: N puts and N gets inside one object.
//
// The benchmark's hot reload figure edits the first assignment to HELP in this file (Counter's help text,
// answered with 404 for /counter/help): keep it the first one, and keep its exact spelling below.
import { DurableObject } from "cloudflare:workers";

const HELP = "Counter endpoint. Try /counter/value, /counter/increment, or /counter/decrement";
const CHAT_USAGE = "Chat Room endpoint. Try /chat/ws for WebSocket or /chat/messages";
const HISTORY_LIMIT = 100;

const text = (body, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/plain;charset=UTF-8" } });

export class Counter extends DurableObject {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/counter/value") return Response.json({ value: await this.value() });
    if (path === "/counter/increment") return Response.json({ value: await this.add(1), action: "incremented" });
    if (path === "/counter/decrement") return Response.json({ value: await this.add(-1), action: "decremented" });
    if (path === "/counter/reset" && request.method === "POST") {
      await this.ctx.storage.put("counter", 0);
      return Response.json({ value: 0, action: "reset" });
    }
    return text(HELP, 404);
  }

  async value() {
    return (await this.ctx.storage.get("counter")) || 0;
  }

  async add(amount) {
    const value = (await this.value()) + amount;
    await this.ctx.storage.put("counter", value);
    return value;
  }
}

export class ChatRoom extends DurableObject {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/chat/ws") return this.connect(request);
    if (path === "/chat/messages" && request.method === "GET") return Response.json({ messages: await this.history() });
    if (path === "/chat/send" && request.method === "POST") {
      const { text: messageText, username } = await request.json();
      if (!messageText || !username) return Response.json({ error: "text and username required" }, { status: 400 });
      const message = newMessage(messageText, username);
      await this.publish(message);
      return Response.json({ success: true, message });
    }
    return text(CHAT_USAGE, 404);
  }

  connect(request) {
    if (request.headers.get("Upgrade") !== "websocket") return text("Expected WebSocket upgrade", 426);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const sessionCount = this.ctx.getWebSockets().length;
    server.send(JSON.stringify({ type: "connected", message: "Connected to chat room", sessionCount }));
    this.broadcast({ type: "user-joined", sessionCount }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws, message) {
    try {
      const data = JSON.parse(String(message));
      if (data.type === "message") await this.publish(newMessage(data.text, data.username || "Anonymous"));
    } catch {
      ws.send(JSON.stringify({ type: "error", message: "Invalid message format" }));
    }
  }

  // As the Python port does: answer the client's Close frame (1005 = it carried no code, cannot be sent).
  async webSocketClose(ws, code, reason) {
    if (code !== 1005) ws.close(code, reason);
  }

  async webSocketError(ws, error) {}

  async history() {
    return (await this.ctx.storage.get("messages")) || [];
  }

  async publish(message) {
    const messages = await this.history();
    messages.push(message);
    await this.ctx.storage.put("messages", messages.slice(-HISTORY_LIMIT));
    this.broadcast({ type: "message", message });
  }

  broadcast(data, skip = null) {
    const frame = JSON.stringify(data);
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === skip) continue;
      try {
        ws.send(frame);
      } catch {
        // a closing socket: passed over
      }
    }
  }
}

function newMessage(messageText, username) {
  return { id: crypto.randomUUID(), text: messageText, username, timestamp: Date.now() };
}

// N puts then a get of each key put, one key per put, awaited one at a time, all inside one request.
// `inside_ms` is the object's own clock; workerd freezes clocks while code runs without I/O, so the
// benchmark reports the end-to-end time of the request (minus an n=0 request) as the figure.
export class StorageBench extends DurableObject {
  async fetch(request) {
    const n = Number(new URL(request.url).searchParams.get("n") || "1000");
    const storage = this.ctx.storage;
    const started = performance.now();
    for (let i = 0; i < n; i++) await storage.put(`k${i}`, i);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await storage.get(`k${i}`);
    const insideMs = performance.now() - started;
    if (sum !== (n * (n - 1)) / 2) return Response.json({ error: "wrong sum", sum }, { status: 500 });
    return Response.json({ n, ops: 2 * n, inside_ms: insideMs });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path.startsWith("/counter")) return env.COUNTER.get(env.COUNTER.idFromName("global-counter")).fetch(request);
    if (path.startsWith("/chat")) {
      const room = url.searchParams.get("room") || "default";
      return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(room)).fetch(request);
    }
    if (path.startsWith("/bench/storage")) return env.STORAGE_BENCH.get(env.STORAGE_BENCH.idFromName("bench")).fetch(request);
    return Response.json({ message: "bench reference worker", routes: ["/counter/*", "/chat/ws?room=R", "/bench/storage?n=N"] });
  }
};
