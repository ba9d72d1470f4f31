// Hand-written fetch wrapper for the livedesk API (spec: API.md, version 1).
//
// TEMPORARY: this module will be generated from the server's /api/openapi.json
// (one source of truth for the types, see STYLE.md) once the server publishes it.
// Until then keep the types here in step with the spec by hand, and keep every
// HTTP call of the UI in this file so the swap is a one-file change.

export type Role = "operator" | "supervisor";
export type Group = "mine" | "unassigned" | "active" | "closed";
export type OperatorStatus = "online" | "away" | "offline";
export type SessionStatus = "unassigned" | "active" | "closed";
export type AuthorKind = "customer" | "operator" | "system" | "bot";

export interface User {
  id: number;
  email: string;
  name: string;
  is_admin?: boolean;
  status?: OperatorStatus;
}

export interface LivechatMembership {
  id: number;
  name: string;
  roles: Role[];
}

export interface Counters {
  red: number;
  blue: number;
  unread_sessions?: number;
  unassigned_supervised?: number;
  livechats?: Record<string, { unread_sessions: number; unassigned: number }>;
}

export interface Me extends User {
  livechats: LivechatMembership[];
  counters?: Counters;
  csrf_token?: string;
}

export interface PersonRef {
  id: number | null;
  name: string;
}

export interface SessionRow {
  id: number;
  livechat_id: number;
  name: string;
  status: SessionStatus;
  assignee: PersonRef | null;
  contact: PersonRef | null;
  channel_kind: string;
  last_message: { text: string; created_at: string } | null;
  unread_count: number;
  is_new: boolean;
}

export interface Message {
  id: number;
  session_id: number;
  author: { kind: AuthorKind; id: number | null; name: string };
  text: string;
  attachments: unknown[];
  created_at: string;
  internal: boolean;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | number | null;
}

/** An API error: `{"error": {"code", "message"}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const CSRF_STORAGE_KEY = "livedesk.csrf";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

let csrfToken: string | null = readStoredCsrf();
let onUnauthorized: (() => void) | null = null;

function readStoredCsrf(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(CSRF_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Remember the token given at login; it goes out as X-CSRF-Token on unsafe requests. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  try {
    if (token) sessionStorage.setItem(CSRF_STORAGE_KEY, token);
    else sessionStorage.removeItem(CSRF_STORAGE_KEY);
  } catch {
    // Storage may be unavailable (private mode); the in-memory token still works.
  }
}

/** Called on any 401 so the app can fall back to the login form. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE_METHODS.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  if (response.status === 401 && onUnauthorized) onUnauthorized();
  let code = `http_${response.status}`;
  let message = response.statusText || "Request failed";
  try {
    const payload = (await response.json()) as { error?: { code?: string; message?: string } };
    if (payload.error?.code) code = payload.error.code;
    if (payload.error?.message) message = payload.error.message;
  } catch {
    // Not JSON (e.g. a proxy error page): keep the status-based code.
  }
  return new ApiError(response.status, code, message);
}

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Accept both `{items: [...]}` pages and bare arrays. */
function asPage<T>(payload: Page<T> | T[]): Page<T> {
  return Array.isArray(payload) ? { items: payload, next_cursor: null } : payload;
}

export const api = {
  async login(email: string, password: string): Promise<{ csrf_token?: string }> {
    const result = await request<{ csrf_token?: string }>("POST", "/api/auth/login", {
      email,
      password,
    });
    setCsrfToken(result?.csrf_token ?? null);
    return result;
  },

  async logout(): Promise<void> {
    try {
      await request<void>("POST", "/api/auth/logout");
    } finally {
      setCsrfToken(null);
    }
  },

  async me(): Promise<Me> {
    const me = await request<Me>("GET", "/api/me");
    if (me.csrf_token) setCsrfToken(me.csrf_token);
    return me;
  },

  setStatus: (status: OperatorStatus) => request<unknown>("PUT", "/api/me/status", { status }),

  counters: () => request<Counters>("GET", "/api/counters"),

  async sessions(
    livechatId: number,
    group: Group,
    cursor?: string | number | null,
  ): Promise<Page<SessionRow>> {
    const path = `/api/sessions${query({ livechat_id: livechatId, group, cursor })}`;
    return asPage(await request<Page<SessionRow> | SessionRow[]>("GET", path));
  },

  session: (id: number) => request<SessionRow>("GET", `/api/sessions/${id}`),

  async messages(sessionId: number, before?: string | number | null): Promise<Page<Message>> {
    const path = `/api/sessions/${sessionId}/messages${query({ before })}`;
    return asPage(await request<Page<Message> | Message[]>("GET", path));
  },

  sendMessage: (sessionId: number, text: string) =>
    request<Message>("POST", `/api/sessions/${sessionId}/messages`, { text }),

  take: (sessionId: number) => request<SessionRow>("POST", `/api/sessions/${sessionId}/take`),

  takeNext: (livechatId?: number) =>
    request<SessionRow>(
      "POST",
      "/api/sessions/take-next",
      livechatId === undefined ? {} : { livechat_id: livechatId },
    ),

  close: (sessionId: number) => request<SessionRow>("POST", `/api/sessions/${sessionId}/close`),

  markRead: (sessionId: number, messageId: number) =>
    request<unknown>("POST", `/api/sessions/${sessionId}/read`, { message_id: messageId }),
};
