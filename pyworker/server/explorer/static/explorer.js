// The pyworker explorer page: plain JavaScript over the JSON API at /cdn-cgi/explorer/api.
// Views are chosen by the URL fragment: #/, #/do/BINDING, #/do/BINDING/ID, #/kv/BINDING, #/d1/BINDING.
// Every value from the API is put into the page as text (textContent), never as HTML.
"use strict";

const API = "/cdn-cgi/explorer/api";
const main = document.getElementById("main");
const nav = document.getElementById("nav");

// -- helpers ------------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, options) {
  const response = await fetch(API + path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function sendJson(method, body) {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

const seg = encodeURIComponent;

function json(value) {
  return JSON.stringify(value, null, 2);
}

function when(ms) {
  if (ms === null || ms === undefined) return h("span", { class: "none" }, "none");
  const seconds = Math.round((ms - Date.now()) / 1000);
  let amount = Math.abs(seconds), unit = "s";
  for (const [size, name] of [[60, "min"], [60, "h"], [24, "d"]]) {
    if (amount < size * 2) break;
    amount = Math.round(amount / size);
    unit = name;
  }
  const relative = seconds >= 0 ? `in ${amount} ${unit}` : `${amount} ${unit} ago`;
  return h("span", { title: String(ms) }, `${new Date(ms).toLocaleString()} (${relative})`);
}

function badge(on, yes, no) {
  return h("span", { class: on ? "badge on" : "badge" }, on ? yes : no);
}

function table(headers, rows, testid) {
  return h("table", { "data-testid": testid },
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", {}, name)))),
    h("tbody", {}, rows));
}

function none(text) {
  return h("p", { class: "none" }, text);
}

function errorText(error) {
  return h("p", { class: "error", role: "alert" }, error.message);
}

// -- navigation ---------------------------------------------------------------------------------

function renderNav(overview, current) {
  const section = (title, items, empty) => [
    h("h2", {}, title),
    items.length ? h("ul", {}, items.map(([href, label]) =>
      h("li", {}, h("a", { href, class: href === current ? "current" : null }, label)))) : none(empty),
  ];
  nav.replaceChildren(...[
    section("Durable Objects", overview.durableObjects.map((ns) => [`#/do/${seg(ns.binding)}`, `${ns.binding} (${ns.className})`]), "none"),
    section("KV namespaces", overview.kv.map((ns) => [`#/kv/${seg(ns.binding)}`, ns.binding]), "none"),
    section("D1 databases", overview.d1.map((db) => [`#/d1/${seg(db.binding)}`, db.binding]), "none"),
  ].flat());
  document.getElementById("worker-name").textContent = overview.worker;
}

// -- views --------------------------------------------------------------------------------------

function homeView(overview) {
  return h("section", { "data-testid": "home" },
    h("h1", {}, "Bindings"),
    h("h2", {}, "Durable Objects"),
    overview.durableObjects.length ? table(["Binding", "Class", "Storage", "Objects"], overview.durableObjects.map((ns) =>
      h("tr", {}, h("td", {}, h("a", { href: `#/do/${seg(ns.binding)}` }, ns.binding)), h("td", {}, ns.className),
        h("td", {}, ns.sqlite ? "SQLite" : "key-value"), h("td", {}, ns.objects))), "namespaces")
      : none("none: this worker binds no Durable Objects"),
    h("h2", {}, "KV namespaces"),
    overview.kv.length ? table(["Binding", "Keys"], overview.kv.map((ns) =>
      h("tr", {}, h("td", {}, h("a", { href: `#/kv/${seg(ns.binding)}` }, ns.binding)),
        h("td", {}, ns.more ? `${ns.keys}+` : ns.keys))), "kv-namespaces")
      : none("none: this worker binds no KV namespaces"),
    h("h2", {}, "D1 databases"),
    overview.d1.length ? table(["Binding", "Database"], overview.d1.map((db) =>
      h("tr", {}, h("td", {}, h("a", { href: `#/d1/${seg(db.binding)}` }, db.binding)), h("td", {}, db.name))), "d1-databases")
      : none("none: this worker binds no D1 databases"));
}

async function namespaceView(binding) {
  const ns = await api(`/durable-objects/${seg(binding)}`);
  const rows = ns.objects.map((object) => h("tr", {},
    h("td", { class: "mono" }, h("a", { href: `#/do/${seg(binding)}/${object.id}` }, object.id.slice(0, 16) + "…")),
    h("td", {}, object.name ?? h("span", { class: "none" }, "—")),
    h("td", {}, badge(object.stored, "stored", "nothing stored")),
    h("td", {}, badge(object.live, "in memory", "not in memory")),
    h("td", {}, when(object.alarm)),
    h("td", {}, object.websockets)));
  return h("section", { "data-testid": "namespace" },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Bindings"), " / Durable Objects"),
    h("h1", {}, `${ns.binding} (${ns.className})`),
    h("p", { class: "muted" }, `${ns.sqlite ? "SQLite" : "Key-value"} storage · ${ns.objects.length} object(s)` +
      (ns.truncated ? " (list truncated)" : "")),
    rows.length ? table(["Id", "Name", "Storage", "Memory", "Alarm", "WebSockets"], rows, "objects")
      : none("No objects yet: an object appears once it stores something or runs."));
}

async function objectView(binding, id) {
  const object = await api(`/durable-objects/${seg(binding)}/${seg(id)}`);
  const base = `/durable-objects/${seg(binding)}/${seg(id)}`;
  const rerender = () => route();
  const section = h("section", { "data-testid": "object" },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Bindings"), " / ",
      h("a", { href: `#/do/${seg(binding)}` }, `${binding} (${object.className})`)),
    h("h1", {}, object.name ?? object.id.slice(0, 16) + "…"),
    h("dl", { class: "facts" },
      h("dt", {}, "Id"), h("dd", { class: "mono" }, object.id),
      h("dt", {}, "Name"), h("dd", {}, object.name ?? "—"),
      h("dt", {}, "In memory"), h("dd", {}, object.live ? "yes" : "no"),
      h("dt", {}, "Alarm"), h("dd", { "data-testid": "alarm" }, when(object.alarm))),
    h("h2", {}, "Stored keys"),
    object.keys.length ? table(["Key", "Type", "Value", ""], object.keys.map((entry) => keyRow(base, entry, rerender)), "keys")
      : none("No keys stored."),
    object.keysTruncated ? h("p", { class: "muted" }, "Only the first 1000 keys are shown.") : null,
    addKeyForm(base, rerender));
  if (object.sqlite) {
    section.append(h("h2", {}, "SQL"), queryPanel(`${base}/query`, object.tables));
  }
  section.append(h("h2", {}, "WebSockets"),
    object.websocketList.length ? table(["State", "Tags", "Attachment"], object.websocketList.map((ws) => h("tr", {},
      h("td", {}, ["connecting", "open", "closing", "closed"][ws.readyState] ?? ws.readyState),
      h("td", {}, ws.tags.join(", ")),
      h("td", {}, h("pre", {}, json(ws.attachment))))), "websockets")
      : none("No hibernatable WebSockets connected."));
  return section;
}

function keyRow(base, entry, rerender) {
  const valueCell = h("td", {}, h("pre", {}, json(entry.value)));
  const status = h("span", { class: "status" });
  const edit = () => {
    const editor = h("textarea", { "aria-label": `New value of ${entry.key}` });
    editor.value = json(entry.value);
    const save = async () => {
      let value;
      try { value = JSON.parse(editor.value); } catch (error) { status.replaceChildren(errorText(error)); return; }
      try { await api(`${base}/storage/${seg(entry.key)}`, sendJson("PUT", { value })); rerender(); }
      catch (error) { status.replaceChildren(errorText(error)); }
    };
    valueCell.replaceChildren(editor, h("div", { class: "row" },
      h("button", { class: "primary", onclick: save }, "Save"), h("button", { onclick: rerender }, "Cancel"), status));
  };
  const remove = async () => {
    if (!window.confirm(`Delete the key "${entry.key}"?`)) return;
    try { await api(`${base}/storage/${seg(entry.key)}`, { method: "DELETE" }); rerender(); }
    catch (error) { status.replaceChildren(errorText(error)); }
  };
  return h("tr", {},
    h("td", { class: "mono" }, entry.key),
    h("td", {}, entry.type),
    valueCell,
    h("td", {},
      h("button", { onclick: edit, disabled: !entry.editable, title: entry.editable ? null : "Only JSON values can be edited here" }, "Edit"),
      " ", h("button", { class: "danger", onclick: remove }, "Delete"), status));
}

function addKeyForm(base, rerender) {
  const key = h("input", { type: "text", placeholder: "key", "aria-label": "New key" });
  const value = h("textarea", { placeholder: "JSON value, e.g. 42 or {\"a\": 1}", "aria-label": "New value (JSON)" });
  const status = h("span", { class: "status" });
  const save = async () => {
    let parsed;
    try { parsed = JSON.parse(value.value); } catch (error) { status.replaceChildren(errorText(error)); return; }
    try { await api(`${base}/storage/${seg(key.value)}`, sendJson("PUT", { value: parsed })); rerender(); }
    catch (error) { status.replaceChildren(errorText(error)); }
  };
  return h("details", {}, h("summary", {}, "Add a key"),
    h("div", { class: "row" }, h("div", { class: "grow" }, key)),
    h("div", { class: "row" }, h("div", { class: "grow" }, value)),
    h("div", { class: "row" }, h("button", { class: "primary", onclick: save }, "Store"), status));
}

function queryPanel(path, tables) {
  const input = h("textarea", { "aria-label": "SQL query", placeholder: "SELECT * FROM ..." });
  const output = h("div", { "data-testid": "query-result" });
  const run = async () => {
    try {
      const result = await api(path, sendJson("POST", { query: input.value }));
      output.replaceChildren(
        table(result.columns, result.rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell === null ? "NULL" : typeof cell === "string" ? cell : json(cell))))), "query-rows"),
        h("p", { class: "muted" }, `${result.rows.length} row(s)${result.truncated ? " (truncated)" : ""}`));
    } catch (error) {
      output.replaceChildren(errorText(error));
    }
  };
  const browse = (name) => () => {
    input.value = `SELECT * FROM "${name.replaceAll('"', '""')}" LIMIT 100`;
    run();
  };
  return h("div", {},
    tables.length ? table(["Table", "Rows"], tables.map((t) => h("tr", {},
      h("td", {}, h("button", { class: "link", onclick: browse(t.name) }, t.name)), h("td", {}, t.rows))), "tables")
      : none("No tables."),
    h("p", { class: "muted" }, "Queries run read-only: SELECT statements only."),
    input,
    h("div", { class: "row" }, h("button", { class: "primary", onclick: run }, "Run query")),
    output);
}

async function kvView(binding, prefix = "", cursor = null) {
  const params = new URLSearchParams({ prefix });
  if (cursor) params.set("cursor", cursor);
  const page = await api(`/kv/${seg(binding)}?${params}`);
  const filter = h("input", { type: "text", placeholder: "key prefix", value: prefix, "aria-label": "Key prefix" });
  const show = async (nextCursor) => main.replaceChildren(await kvView(binding, filter.value, nextCursor));
  return h("section", { "data-testid": "kv" },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Bindings"), " / KV"),
    h("h1", {}, binding),
    h("div", { class: "row" }, h("div", { class: "grow" }, filter), h("button", { onclick: () => show(null) }, "Filter")),
    page.keys.length ? table(["Key", "Value", "Expiration", "Metadata"], page.keys.map((key) => h("tr", {},
      h("td", { class: "mono" }, key.name),
      h("td", {}, h("pre", {}, key.value ?? "")),
      h("td", {}, key.expiration ? when(key.expiration * 1000) : h("span", { class: "none" }, "never")),
      h("td", {}, key.metadata === null ? "" : h("pre", {}, json(key.metadata))))), "kv-keys")
      : none("No keys."),
    page.complete ? null : h("button", { onclick: () => show(page.cursor) }, "Next page"));
}

async function d1View(binding) {
  const db = await api(`/d1/${seg(binding)}`);
  return h("section", { "data-testid": "d1" },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Bindings"), " / D1"),
    h("h1", {}, `${db.binding} (${db.name})`),
    queryPanel(`/d1/${seg(binding)}/query`, db.tables));
}

// -- routing ------------------------------------------------------------------------------------

async function route() {
  document.body.dataset.state = "loading";
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  try {
    const overview = await api("");
    renderNav(overview, parts.length ? `#/${parts.slice(0, 2).map(seg).join("/")}` : null);
    let view;
    if (parts[0] === "do" && parts.length === 2) view = await namespaceView(parts[1]);
    else if (parts[0] === "do" && parts.length === 3) view = await objectView(parts[1], parts[2]);
    else if (parts[0] === "kv" && parts.length === 2) view = await kvView(parts[1]);
    else if (parts[0] === "d1" && parts.length === 2) view = await d1View(parts[1]);
    else view = homeView(overview);
    main.replaceChildren(view);
  } catch (error) {
    main.replaceChildren(errorText(error));
  }
  document.body.dataset.state = "ready";
}

window.addEventListener("hashchange", route);
route();
