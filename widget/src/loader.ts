// The embeddable loader, served as /widget.js:
//   <script src="https://HOST/widget.js" data-widget-key="KEY" async></script>
// It adds a launcher button and an iframe with the chat (served by HOST) to the page.
// Everything lives in a shadow root under a host element whose inline styles are
// !important, so the page's CSS cannot restyle it; the chat itself runs in the iframe, on
// HOST's origin, so the page's scripts cannot read it. The two talk with postMessage,
// each checking the other's origin and window.
import { isTagged, MAX_STORED_CHARS, TAG, type LoaderMessage } from "./protocol";

declare global {
  interface Window {
    __livedeskWidget?: Record<string, true>;
  }
}

const HOST_STYLE = [
  "all:initial",
  "display:block",
  "position:fixed",
  "right:0",
  "bottom:0",
  "width:0",
  "height:0",
  "margin:0",
  "padding:0",
  "border:0",
  "overflow:visible",
  "visibility:visible",
  "opacity:1",
  "transform:none",
  "filter:none",
  "clip-path:none",
  "pointer-events:auto",
  "z-index:2147483647",
]
  .map((rule) => `${rule} !important`)
  .join(";");

const CSS = `
:host { all: initial !important; }
* { box-sizing: border-box; }
.launcher {
  all: initial; box-sizing: border-box; position: fixed; right: 20px; bottom: 20px;
  width: 56px; height: 56px; border-radius: 50%; background: #2563eb; color: #fff;
  cursor: pointer; display: flex; align-items: center; justify-content: center;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); transition: transform .15s ease;
}
.launcher:hover { transform: scale(1.05); }
.launcher:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; display: block; }
.launcher .close-icon { display: none; }
.open .launcher .chat-icon { display: none; }
.open .launcher .close-icon { display: block; }
.badge {
  all: initial; position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px;
  padding: 0 6px; border-radius: 11px; background: #dc2626; color: #fff;
  font: 600 12px/22px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  text-align: center; box-sizing: border-box; border: 2px solid #fff;
}
.badge[hidden] { display: none; }
.panel {
  all: initial; position: fixed; right: 20px; bottom: 88px; width: 370px; height: 560px;
  max-width: calc(100vw - 40px); max-height: calc(100vh - 108px); border-radius: 12px;
  overflow: hidden; background: #fff; box-shadow: 0 8px 30px rgba(0,0,0,.25);
  display: none;
}
.open .panel { display: block; }
.panel iframe {
  all: initial; display: block; width: 100%; height: 100%; border: 0; background: #fff;
}
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; max-width: none;
           max-height: none; border-radius: 0; }
  .open .launcher { display: none; }
}
`;

const CHAT_ICON =
  '<svg class="chat-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
const CLOSE_ICON =
  '<svg class="close-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"/></svg>';

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.widgetKey) return current;
  const all = document.querySelectorAll<HTMLScriptElement>("script[data-widget-key][src]");
  for (const s of Array.from(all)) {
    if (/\/widget\.js(\?|#|$)/.test(s.src)) return s;
  }
  return null;
}

function mount(script: HTMLScriptElement): void {
  const key = script.dataset.widgetKey ?? "";
  const serverOrigin = new URL(script.src, location.href).origin;
  const registry = (window.__livedeskWidget ??= {});
  if (!key || registry[key]) return;
  registry[key] = true;

  const host = document.createElement("livedesk-widget");
  host.setAttribute("style", HOST_STYLE);
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = CSS;
  const box = document.createElement("div");

  const panel = document.createElement("div");
  panel.className = "panel";
  const frame = document.createElement("iframe");
  const src = new URL("/widget/frame", serverOrigin);
  src.searchParams.set("key", key);
  src.searchParams.set("host", location.origin);
  frame.src = src.href;
  frame.title = script.dataset.title || "Chat";
  frame.setAttribute("allow", "clipboard-write");
  panel.appendChild(frame);

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("part", "launcher");
  launcher.innerHTML = CHAT_ICON + CLOSE_ICON; // constant markup, no data
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  launcher.appendChild(badge);

  box.append(panel, launcher);
  root.append(style, box);

  let open = false;
  let unread = 0;
  let ready = false;
  const storageKey = `livedesk-widget:${key}`;

  // Only for a frame that the browser denies storage of its own (see protocol.ts).
  const stored = (): string | null => {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null;
    }
  };
  const store = (value: unknown): void => {
    try {
      if (typeof value === "string" && value.length <= MAX_STORED_CHARS) {
        localStorage.setItem(storageKey, value);
      } else if (value === null) {
        localStorage.removeItem(storageKey);
      }
    } catch {
      /* the page's storage is blocked too: the chat lasts this page view */
    }
  };

  const label = (): void => {
    const base = open ? "Close chat" : "Open chat";
    launcher.setAttribute("aria-label", unread > 0 ? `${base} (${unread} unread)` : base);
    launcher.setAttribute("aria-expanded", String(open));
    badge.hidden = unread <= 0;
    badge.textContent = unread > 99 ? "99+" : String(unread);
  };

  const post = (message: LoaderMessage): void => {
    if (ready) frame.contentWindow?.postMessage(message, serverOrigin);
  };

  const setOpen = (value: boolean): void => {
    open = value;
    box.classList.toggle("open", open);
    label();
    post({ tag: TAG, type: "visibility", open });
  };

  launcher.addEventListener("click", () => setOpen(!open));

  window.addEventListener("message", (event: MessageEvent) => {
    // Only our own frame, from the server's origin, may talk to the loader.
    if (event.origin !== serverOrigin || event.source !== frame.contentWindow) return;
    const data: unknown = event.data;
    if (!isTagged(data)) return;
    if (data.type === "ready") {
      ready = true;
      post({ tag: TAG, type: "init", open, saved: stored() });
    } else if (data.type === "store") {
      store((data as { value?: unknown }).value);
    } else if (data.type === "unread") {
      const count = Number((data as { count?: unknown }).count);
      unread = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
      label();
    } else if (data.type === "close") {
      setOpen(false);
      launcher.focus();
    }
  });

  label();
  document.documentElement.appendChild(host);
}

function start(): void {
  const script = ownScript();
  if (script) mount(script);
}

start();
