// The chat app inside the widget's iframe, served by the livedesk server at
// /widget/frame?key=KEY&host=ORIGIN. It runs on the server's origin: the visitor token it
// keeps in localStorage is out of the host page's reach. Text is always set with
// textContent, never parsed as HTML.
import { words } from "./i18n";
import { isTagged, TAG, type FrameMessage } from "./protocol";

type AuthorKind = "customer" | "operator" | "system" | "bot";
interface Author {
  kind: AuthorKind;
  id: number | null;
  name: string;
}
/** A file on a message (uploads have every field; a messenger's may lack some). */
interface Attachment {
  type?: string;
  name?: string;
  label?: string;
  content_type?: string;
  size?: number | null;
  url?: string;
}
interface Message {
  id: number;
  session_id: number;
  author: Author;
  text: string;
  created_at: string;
  attachments?: Attachment[];
}
interface Config {
  livechat_name: string;
  operators_online: boolean;
  offline_message: string;
  prechat_form?: boolean;
}
interface Frame {
  id: number | null;
  type: string;
  data: Record<string, unknown>;
}

const RESYNC_CODE = 4000;
const POLICY_VIOLATION = 1008;
const MAX_BACKOFF_MS = 30_000;
const WATCHDOG_MS = 50_000; // the server sends a heartbeat after 20 s of silence
const TYPING_EVERY_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_SHOWN_MS = 8_000;

const t = words(navigator.language || "en");
const params = new URLSearchParams(location.search);
const key = params.get("key") ?? "";
const embedded = window.parent !== window;
const hostOrigin = embedded ? validOrigin(params.get("host")) : null;
const base = `/api/widget/${encodeURIComponent(key)}`;

function validOrigin(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const origin = new URL(raw).origin;
    return origin === raw && origin !== "null" ? origin : null;
  } catch {
    return null;
  }
}

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} missing`);
  return found as T;
}

const ui = {
  name: el("chat-name"),
  status: el("status"),
  close: el<HTMLButtonElement>("close"),
  offline: el("offline"),
  notice: el("notice"),
  list: el<HTMLOListElement>("messages"),
  typing: el("typing"),
  prechat: el<HTMLFormElement>("prechat"),
  prechatIntro: el("prechat-intro"),
  nameInput: el<HTMLInputElement>("name"),
  emailInput: el<HTMLInputElement>("email"),
  composer: el<HTMLFormElement>("composer"),
  text: el<HTMLTextAreaElement>("text"),
  send: el<HTMLButtonElement>("send"),
  attach: el<HTMLButtonElement>("attach"),
  file: el<HTMLInputElement>("file"),
  chips: el<HTMLUListElement>("chips"),
};

// --- storage: the visitor token and the read cursor, per widget key ------------------
// Kept in this frame's localStorage (the server's origin: out of the host page's reach).
// Where the browser denies a third-party frame its storage, the loader keeps it for us in
// the host page's storage instead (protocol.ts), so the conversation still survives.

interface Saved {
  token?: string;
  read?: number;
}
const storageKey = `livedesk:${key}`;
let saved: Saved = {};

function ownStorage(): Storage | null {
  try {
    const probe = `${storageKey}:probe`;
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null;
  }
}
const storage = ownStorage();

function parse(raw: string | null | undefined): Saved {
  try {
    const value: unknown = raw ? JSON.parse(raw) : {};
    return typeof value === "object" && value !== null ? (value as Saved) : {};
  } catch {
    return {};
  }
}

function persist(): void {
  const raw = Object.keys(saved).length ? JSON.stringify(saved) : null;
  if (storage) {
    try {
      if (raw) storage.setItem(storageKey, raw);
      else storage.removeItem(storageKey);
      return;
    } catch {
      /* full or revoked: fall through to the loader */
    }
  }
  tell({ tag: TAG, type: "store", value: raw });
}

function save(patch: Partial<Saved>): void {
  saved = { ...(storage ? parse(storage.getItem(storageKey)) : saved), ...patch };
  persist();
}

function forget(): void {
  saved = {};
  persist();
}

/** What we kept: from our own storage when we have one (never then from the page), else
 * what the loader keeps for us. */
function restore(fromLoader: string | null): void {
  saved = storage ? parse(storage.getItem(storageKey)) : parse(fromLoader);
  token = typeof saved.token === "string" && saved.token ? saved.token : null;
  readId = typeof saved.read === "number" ? saved.read : 0;
}

// --- state ------------------------------------------------------------------------

let config: Config | null = null;
let token: string | null = null;
let readId = 0;
let open = !embedded;
const messages = new Map<number, Message>();
let unreadSent = -1;
let sending = false;

// --- HTTP -------------------------------------------------------------------------

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail = "",
  ) {
    super(`${status} ${code}`);
  }
}

/** JSON in and out; a Blob body goes as is (a file upload), typed by its own type. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const raw = body instanceof Blob;
  if (token) headers.Authorization = `Visitor ${token}`;
  if (body !== undefined) {
    headers["Content-Type"] = raw ? body.type || "application/octet-stream" : "application/json";
  }
  const response = await fetch(base + path, {
    method,
    headers,
    body: raw ? body : body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) {
    let code = "";
    let detail = "";
    try {
      const payload = (await response.json()) as { error?: { code?: string; message?: string } };
      code = payload.error?.code ?? "";
      detail = payload.error?.message ?? "";
    } catch {
      /* not JSON */
    }
    throw new HttpError(response.status, code, detail);
  }
  return (await response.json()) as T;
}

// --- talking to the loader --------------------------------------------------------

const INIT_WAIT_MS = 1_500;
let initReceived: ((saved: string | null) => void) | null = null;

/** The loader's answer to "ready": what it keeps for us (null when embedded otherwise). */
function loaderInit(): Promise<string | null> {
  if (!hostOrigin) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = window.setTimeout(() => done(null), INIT_WAIT_MS);
    const done = (value: string | null): void => {
      window.clearTimeout(timer);
      initReceived = null;
      resolve(value);
    };
    initReceived = done;
    tell({ tag: TAG, type: "ready" });
  });
}

function tell(message: FrameMessage): void {
  if (hostOrigin) window.parent.postMessage(message, hostOrigin);
}

window.addEventListener("message", (event: MessageEvent) => {
  // Only the page that embeds us, from the origin it said it has, may talk to us.
  if (!hostOrigin || event.source !== window.parent || event.origin !== hostOrigin) return;
  const data: unknown = event.data;
  if (!isTagged(data)) return;
  if (data.type === "init") {
    const stored = (data as { saved?: unknown }).saved;
    initReceived?.(typeof stored === "string" ? stored : null);
  } else if (data.type !== "visibility") {
    return;
  }
  open = Boolean((data as { open?: unknown }).open);
  if (open) {
    markRead();
    if (!ui.composer.hidden) ui.text.focus();
    else if (!ui.prechat.hidden) ui.nameInput.focus();
    void refreshConfig();
  }
});

// --- rendering --------------------------------------------------------------------

function showNotice(text: string | null): void {
  ui.notice.hidden = !text;
  ui.notice.textContent = text ?? "";
}

function renderConfig(): void {
  if (!config) return;
  ui.name.textContent = config.livechat_name;
  document.title = config.livechat_name;
  ui.status.textContent = config.operators_online ? t.online : t.offline;
  ui.status.classList.toggle("on", config.operators_online);
  ui.offline.hidden = config.operators_online;
  ui.offline.textContent = config.offline_message.trim() || t.offlineDefault;
}

function atBottom(): boolean {
  const l = ui.list;
  return l.scrollHeight - l.scrollTop - l.clientHeight < 40;
}

function scrollDown(): void {
  ui.list.scrollTop = ui.list.scrollHeight;
}

function timeOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ""
    : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function messageItem(m: Message): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset.id = String(m.id);
  if (m.author.kind === "system") {
    li.className = "note";
    li.textContent = m.text;
    return li;
  }
  const mine = m.author.kind === "customer";
  li.className = `msg ${mine ? "mine" : "theirs"}`;
  if (!mine) {
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.author.name;
    li.appendChild(who);
  }
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.textContent = m.text;
  const files = Array.isArray(m.attachments) ? m.attachments.filter((a) => a && typeof a === "object") : [];
  if (m.text || !files.length) li.appendChild(bubble);
  for (const a of files) li.appendChild(attachmentItem(a));
  const time = document.createElement("time");
  time.dateTime = m.created_at;
  time.textContent = timeOf(m.created_at);
  li.appendChild(time);
  return li;
}

// --- attachments: shown in messages, chosen and uploaded from the composer ----------

const THUMBNAIL_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_FILE_BYTES = 10 * 1024 * 1024; // the server's default upload limit

function sizeText(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < 2) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit && value < 10 ? 1 : 0;
  return `${value.toLocaleString(navigator.language || "en", { maximumFractionDigits: digits })} ${t.units[unit]}`;
}

/** Only the server's own paths, never a javascript: or another site's URL. */
function localUrl(url: unknown): string | null {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

function attachmentItem(a: Attachment): HTMLElement {
  const url = localUrl(a.url);
  const name = String(a.name || a.label || "file");
  if (url && a.type === "image" && THUMBNAIL_TYPES.includes(String(a.content_type))) {
    const link = document.createElement("a");
    link.className = "thumb";
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.title = name;
    const img = document.createElement("img");
    img.src = url;
    img.alt = name;
    link.appendChild(img);
    return link;
  }
  const row = document.createElement(url ? "a" : "span");
  row.className = "file";
  if (row instanceof HTMLAnchorElement && url) {
    row.href = url;
    row.download = name;
    row.title = `${t.download}: ${name}`;
  }
  const label = document.createElement("span");
  label.className = "fname";
  label.textContent = a.label && a.label !== name ? `${a.label}: ${name}` : name;
  row.appendChild(label);
  if (typeof a.size === "number") {
    const size = document.createElement("span");
    size.className = "fsize";
    size.textContent = sizeText(a.size);
    row.appendChild(size);
  }
  return row;
}

interface Pending {
  chip: HTMLLIElement;
  id?: number;
  busy: boolean;
}
const pending: Pending[] = [];

function syncSend(): void {
  ui.send.disabled = sending || pending.some((p) => p.busy);
  ui.chips.hidden = pending.length === 0;
}

function chipFor(file: File): Pending {
  const chip = document.createElement("li");
  chip.className = "chip busy";
  const name = document.createElement("span");
  name.className = "cname";
  name.textContent = file.name || "file";
  name.title = file.name;
  const size = document.createElement("span");
  size.className = "csize";
  size.textContent = sizeText(file.size);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "×";
  remove.setAttribute("aria-label", `${t.remove}: ${file.name}`);
  const spin = document.createElement("span");
  spin.className = "spin";
  spin.setAttribute("role", "status");
  spin.setAttribute("aria-label", t.uploading);
  const p: Pending = { chip, busy: true };
  remove.addEventListener("click", () => dropChip(p));
  chip.append(name, size, spin, remove);
  ui.chips.appendChild(chip);
  pending.push(p);
  return p;
}

function dropChip(p: Pending): void {
  const at = pending.indexOf(p);
  if (at >= 0) pending.splice(at, 1);
  p.chip.remove();
  syncSend();
}

function failChip(p: Pending, text: string): void {
  p.busy = false;
  p.chip.className = "chip failed";
  p.chip.querySelector(".spin")?.remove();
  const error = document.createElement("span");
  error.className = "cerror";
  error.setAttribute("role", "alert");
  error.textContent = text;
  p.chip.insertBefore(error, p.chip.lastChild);
  syncSend();
}

function uploadFailure(error: unknown): string {
  if (error instanceof HttpError && error.code === "file_too_large") {
    // The server may be set below the default limit; its answer names its own.
    const limit = /(\d+) bytes/.exec(error.detail);
    return t.tooLarge(sizeText(limit ? Number(limit[1]) : MAX_FILE_BYTES));
  }
  if (error instanceof HttpError && error.status === 429) return t.rateLimited;
  return t.uploadFailed;
}

async function upload(file: File): Promise<void> {
  const p = chipFor(file);
  syncSend();
  if (!file.size) return failChip(p, t.emptyFile);
  if (file.size > MAX_FILE_BYTES) return failChip(p, t.tooLarge(sizeText(MAX_FILE_BYTES)));
  try {
    await ensureVisitor();
    const name = encodeURIComponent(file.name || "file");
    const made = await api<{ id: number }>("POST", `/files?name=${name}`, file);
    p.id = made.id;
    p.busy = false;
    p.chip.className = "chip done";
    p.chip.querySelector(".spin")?.remove();
    syncSend();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) reset();
    failChip(p, uploadFailure(error));
  }
}

function addNote(text: string): void {
  const li = document.createElement("li");
  li.className = "note";
  li.textContent = text;
  const stick = atBottom();
  ui.list.appendChild(li);
  if (stick) scrollDown();
}

function renderEmpty(): void {
  const empty = ui.list.querySelector(".empty");
  if (messages.size > 0 || ui.list.children.length > (empty ? 1 : 0)) {
    empty?.remove();
  } else if (!empty) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = t.empty;
    ui.list.appendChild(li);
  }
}

function addMessage(m: Message): void {
  if (messages.has(m.id)) return;
  messages.set(m.id, m);
  const stick = atBottom() || m.author.kind === "customer";
  const item = messageItem(m);
  // Ids grow with time: insert before the first rendered message with a larger id.
  let before: Element | null = null;
  for (const child of Array.from(ui.list.children)) {
    const id = Number((child as HTMLElement).dataset.id);
    if (id > m.id) {
      before = child;
      break;
    }
  }
  ui.list.insertBefore(item, before);
  renderEmpty();
  if (m.author.kind === "operator" || m.author.kind === "bot") showTyping(null);
  if (stick) scrollDown();
  updateUnread();
}

// --- unread -----------------------------------------------------------------------

function visible(): boolean {
  return open && document.visibilityState === "visible";
}

function markRead(): void {
  let top = readId;
  for (const id of messages.keys()) top = Math.max(top, id);
  if (top !== readId) {
    readId = top;
    save({ read: readId });
  }
  updateUnread();
}

function updateUnread(): void {
  if (visible()) {
    let top = readId;
    for (const id of messages.keys()) top = Math.max(top, id);
    if (top !== readId) {
      readId = top;
      save({ read: readId });
    }
  }
  let count = 0;
  for (const m of messages.values()) {
    if (m.id > readId && (m.author.kind === "operator" || m.author.kind === "bot")) count += 1;
  }
  if (count !== unreadSent) {
    unreadSent = count;
    tell({ tag: TAG, type: "unread", count });
  }
}

document.addEventListener("visibilitychange", () => {
  updateUnread();
  if (document.visibilityState === "visible") wake();
});

// --- typing, both ways ------------------------------------------------------------

let typingTimer: number | undefined;

function showTyping(name: string | null): void {
  window.clearTimeout(typingTimer);
  ui.typing.hidden = name === null;
  ui.typing.textContent = name === null ? "" : t.typing(name);
  if (name !== null) typingTimer = window.setTimeout(() => showTyping(null), TYPING_SHOWN_MS);
}

let lastTypingSent = 0;
let idleTimer: number | undefined;

function sendTyping(typing: boolean): void {
  if (socket?.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ type: "typing", typing }));
  lastTypingSent = typing ? Date.now() : 0;
}

function onInput(): void {
  autosize();
  window.clearTimeout(idleTimer);
  if (!ui.text.value.trim()) {
    if (lastTypingSent) sendTyping(false);
    return;
  }
  if (Date.now() - lastTypingSent > TYPING_EVERY_MS) sendTyping(true);
  idleTimer = window.setTimeout(() => {
    if (lastTypingSent) sendTyping(false);
  }, TYPING_IDLE_MS);
}

function autosize(): void {
  ui.text.style.height = "auto";
  ui.text.style.height = `${Math.min(ui.text.scrollHeight, 120)}px`;
}

// --- the events socket: live replies, with reconnect and resume -------------------

let socket: WebSocket | null = null;
let lastEventId: number | null = null;
let needHistory = true;
let attempts = 0;
let retryTimer: number | undefined;
let watchdog: number | undefined;

function socketUrl(): string {
  const url = new URL(`${base}/events`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("visitor_token", token ?? "");
  if (lastEventId !== null) url.searchParams.set("since", String(lastEventId));
  return url.href;
}

function connect(): void {
  window.clearTimeout(retryTimer);
  retryTimer = undefined;
  if (!token || socket) return;
  const ws = new WebSocket(socketUrl());
  socket = ws;
  const arm = (): void => {
    window.clearTimeout(watchdog);
    watchdog = window.setTimeout(() => ws.close(), WATCHDOG_MS);
  };
  ws.onopen = () => {
    attempts = 0;
    arm();
    if (needHistory) void loadHistory();
  };
  ws.onmessage = (event: MessageEvent) => {
    arm();
    try {
      onFrame(JSON.parse(String(event.data)) as Frame);
    } catch {
      /* a frame we do not understand */
    }
  };
  ws.onclose = (event: CloseEvent) => {
    window.clearTimeout(watchdog);
    if (socket !== ws) return;
    socket = null;
    lastTypingSent = 0;
    // Without a cursor the next socket starts from its own opening: reload over HTTP.
    if (lastEventId === null) needHistory = true;
    if (event.code === RESYNC_CODE) {
      lastEventId = null;
      needHistory = true;
    }
    if (event.code === POLICY_VIOLATION) {
      void checkToken();
      return;
    }
    reconnectLater();
  };
}

function reconnectLater(): void {
  if (retryTimer !== undefined || !token) return;
  const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts += 1;
  retryTimer = window.setTimeout(connect, delay);
}

/** Reconnect now rather than at the end of the back-off (back online, tab shown). */
function wake(): void {
  if (token && !socket) {
    attempts = 0;
    connect();
  }
}
window.addEventListener("online", wake);

function onFrame(frame: Frame): void {
  if (typeof frame.id === "number") lastEventId = Math.max(lastEventId ?? 0, frame.id);
  const data = frame.data ?? {};
  switch (frame.type) {
    case "message.created": {
      const m = data.message as Message | undefined;
      if (m && typeof m.id === "number") addMessage(m);
      break;
    }
    case "typing": {
      const author = data.author as Author | undefined;
      if (author && author.kind !== "customer") showTyping(data.typing ? author.name : null);
      break;
    }
    case "session.closed":
      showTyping(null);
      addNote(t.closed);
      break;
    case "resync_required":
      lastEventId = null;
      needHistory = true;
      break;
    default:
      break;
  }
}

/** The socket refused our token: is it really gone, or was that something passing? */
async function checkToken(): Promise<void> {
  try {
    await api<Message[]>("GET", "/messages");
    reconnectLater();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      reset();
    } else if (error instanceof HttpError && error.status === 404) {
      showNotice(t.gone);
    } else {
      reconnectLater();
    }
  }
}

/** Start over as a new visitor (the stored token is no longer valid). */
function reset(): void {
  forget();
  token = null;
  readId = 0;
  messages.clear();
  ui.list.replaceChildren();
  while (pending[0]) dropChip(pending[0]);
  renderEmpty();
  updateUnread();
  showForms();
}

async function loadHistory(): Promise<void> {
  if (!token) return;
  needHistory = false;
  try {
    const history = await api<Message[]>("GET", "/messages");
    for (const m of history) addMessage(m);
    renderEmpty();
    scrollDown();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) reset();
    else needHistory = true;
  }
}

// --- config, pre-chat form, sending -----------------------------------------------

async function refreshConfig(): Promise<boolean> {
  try {
    config = await api<Config>("GET", "/config");
    renderConfig();
    if (ui.notice.textContent === t.unreachable) showNotice(null);
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) showNotice(t.gone);
    else showNotice(t.unreachable);
    return false;
  }
}

function showForms(): void {
  const prechat = Boolean(config?.prechat_form) && !token;
  ui.prechat.hidden = !prechat;
  ui.composer.hidden = prechat;
}

let joining: Promise<void> | null = null;

/** A visitor for this browser, made once even when a file and a message both need one. */
function ensureVisitor(): Promise<void> {
  if (token) return Promise.resolve();
  joining ??= createVisitor({}).finally(() => {
    joining = null;
  });
  return joining;
}

async function createVisitor(body: { name?: string; email?: string }): Promise<void> {
  const made = await api<{ visitor_token: string }>("POST", "/visitors", body);
  token = made.visitor_token;
  readId = 0;
  save({ token, read: 0 });
  lastEventId = null;
  needHistory = true;
  connect();
}

function failure(error: unknown): string {
  if (error instanceof HttpError && error.status === 429) return t.rateLimited;
  if (error instanceof HttpError && error.status === 422) return t.badEmail;
  return t.sendFailed;
}

ui.prechat.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = ui.nameInput.value.trim();
  const email = ui.emailInput.value.trim();
  if (!name) {
    showNotice(t.nameRequired);
    ui.nameInput.focus();
    return;
  }
  if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
    showNotice(t.badEmail);
    ui.emailInput.focus();
    return;
  }
  void (async () => {
    try {
      await createVisitor(email ? { name, email } : { name });
      showNotice(null);
      showForms();
      ui.text.focus();
    } catch (error) {
      showNotice(failure(error));
    }
  })();
});

async function send(): Promise<void> {
  const text = ui.text.value.trim();
  const sent = pending.filter((p) => p.id !== undefined);
  const attachments = sent.map((p) => p.id);
  if ((!text && !attachments.length) || sending || pending.some((p) => p.busy)) return;
  sending = true;
  syncSend();
  try {
    await ensureVisitor();
    const m = await api<Message>("POST", "/messages", attachments.length ? { text, attachments } : { text });
    if (ui.text.value.trim() === text) ui.text.value = "";
    for (const p of sent) dropChip(p);
    autosize();
    showNotice(null);
    window.clearTimeout(idleTimer);
    if (lastTypingSent) sendTyping(false);
    addMessage(m);
    markRead();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) reset();
    showNotice(failure(error));
  } finally {
    sending = false;
    syncSend();
  }
}

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  void send();
});
ui.text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    void send();
  }
});
ui.text.addEventListener("input", onInput);
ui.attach.addEventListener("click", () => ui.file.click());
ui.file.addEventListener("change", () => {
  for (const file of Array.from(ui.file.files ?? [])) void upload(file);
  ui.file.value = "";
});
ui.text.addEventListener("paste", (event) => {
  const data = event.clipboardData;
  if (!data || data.types.includes("text/plain")) return;
  const images = Array.from(data.files).filter((f) => f.type.startsWith("image/"));
  if (!images.length) return;
  event.preventDefault();
  for (const image of images) void upload(image);
});
ui.close.addEventListener("click", () => tell({ tag: TAG, type: "close" }));

// --- start ------------------------------------------------------------------------

function translate(): void {
  document.documentElement.lang = navigator.language || "en";
  ui.close.setAttribute("aria-label", t.minimize);
  ui.close.hidden = !embedded;
  ui.prechatIntro.textContent = t.intro;
  el("name-label").textContent = t.name;
  el("email-label").textContent = t.email;
  el("prechat-submit").textContent = t.start;
  ui.text.placeholder = t.placeholder;
  ui.send.setAttribute("aria-label", t.send);
  ui.attach.setAttribute("aria-label", t.attach);
  ui.file.setAttribute("aria-label", t.attach);
  ui.chips.setAttribute("aria-label", t.attachments);
  ui.status.textContent = t.connecting;
}

async function start(): Promise<void> {
  translate();
  renderEmpty();
  restore(await loaderInit());
  updateUnread();
  for (let attempt = 0; !(await refreshConfig()); attempt += 1) {
    if (ui.notice.textContent === t.gone) return;
    await new Promise((resolve) =>
      window.setTimeout(resolve, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt)),
    );
  }
  showForms();
  if (token) connect();
}

void start();
