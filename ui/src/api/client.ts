// Fetch wrapper for the livedesk API (spec: API.md, version 1).
//
// The types come from the server's OpenAPI document: `src/api/openapi.json` is
// `uv run livedesk openapi` committed as is, and `npm run gen:api` turns it into
// `src/api/schema.d.ts`. Refresh both whenever the server's API changes. Every
// HTTP call of the UI lives in this file; `call` checks each one's path, body and
// answer against the schema.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type Role = "operator" | "supervisor";
export type Group = "mine" | "unassigned" | "active" | "closed";
export type OperatorStatus = Schemas["UserStatus"];
export type SessionStatus = Schemas["SessionStatus"];
export type AuthorKind = Schemas["AuthorKind"];
export type ChannelKind = Schemas["ChannelKind"];

export type User = Schemas["UserPublic"];
/** Request fields with a server-side default come out required in the schema; these may be left out. */
export type UserCreate = Omit<Schemas["UserCreate"], "locale" | "is_admin"> &
  Partial<Pick<Schemas["UserCreate"], "locale" | "is_admin">>;
export type UserUpdate = Schemas["UserUpdate"];
/** The schema types roles as plain strings; the server only ever sends these two. */
export type LivechatMembership = Omit<Schemas["LiveChatMembership"], "roles"> & { roles: Role[] };
export type LivechatDetail = Omit<Schemas["LiveChatDetail"], "roles" | "members"> & {
  roles: Role[];
  members: Member[];
};
export type LivechatSummary = Schemas["LiveChatPublic"];
export type LivechatSettings = Schemas["LiveChatSettings"];
export type Member = Omit<Schemas["MemberOut"], "roles" | "status"> & {
  roles: Role[];
  status: OperatorStatus;
};
export type Channel = Schemas["ChannelPublic"];
export type Contact = Schemas["ContactPublic"];
export type SessionRow = Schemas["SessionPublic"];
export type Message = Schemas["MessagePublic"];
export type SearchResult = Schemas["SearchOut"];

/** `GET /api/counters` (the schema leaves it an open object; API.md fixes its fields). */
export interface Counters {
  red: number;
  blue: number;
  unread_sessions?: number;
  unassigned_supervised?: number;
  livechats?: Record<string, { unread_sessions: number; unassigned: number }>;
}

export type Me = Omit<Schemas["MeOut"], "livechats" | "counters"> & {
  livechats: LivechatMembership[];
  counters?: Counters;
};

export interface Page<T> {
  items: T[];
  next_cursor: string | number | null;
}

// --- typing a call by its OpenAPI path ----------------------------------------

type Method = "get" | "post" | "put" | "patch";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : void;
/** The JSON of the operation's success answer (200 or 201). */
type Answer<O> = O extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : void
  : never;
type BodyOf<O> = O extends { requestBody?: { content: { "application/json": infer B } } }
  ? B
  : undefined;

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


/** A call checked against the schema: `route` names the OpenAPI path, `url` is the concrete one. */
function call<P extends keyof paths, M extends Method>(
  method: M,
  route: P,
  url: string,
  body?: BodyOf<Operation<P, M>>,
): Promise<Answer<Operation<P, M>>> {
  void route;
  return request<Answer<Operation<P, M>>>(method.toUpperCase(), url, body);
}

export const api = {
  async login(email: string, password: string): Promise<{ csrf_token?: string }> {
    const result = await call("post", "/api/auth/login", "/api/auth/login", { email, password });
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
    const me = (await call("get", "/api/me", "/api/me")) as unknown as Me;
    if (me.csrf_token) setCsrfToken(me.csrf_token);
    return me;
  },

  setStatus: (status: OperatorStatus) => call("put", "/api/me/status", "/api/me/status", { status }),

  counters: async () => (await call("get", "/api/counters", "/api/counters")) as unknown as Counters,

  sessions: (livechatId: number, group: Group, cursor?: string | number | null) =>
    call(
      "get",
      "/api/sessions",
      `/api/sessions${query({ livechat_id: livechatId, group, cursor })}`,
    ) as Promise<Page<SessionRow>>,

  session: (id: number) => call("get", "/api/sessions/{session_id}", `/api/sessions/${id}`),

  messages: (sessionId: number, before?: string | number | null) =>
    call(
      "get",
      "/api/sessions/{session_id}/messages",
      `/api/sessions/${sessionId}/messages${query({ before })}`,
    ) as Promise<Page<Message>>,

  sendMessage: (sessionId: number, text: string, internal = false) =>
    call("post", "/api/sessions/{session_id}/messages", `/api/sessions/${sessionId}/messages`, {
      text,
      internal,
    }),

  take: (sessionId: number) =>
    call("post", "/api/sessions/{session_id}/take", `/api/sessions/${sessionId}/take`),

  takeNext: (livechatId?: number) =>
    call(
      "post",
      "/api/sessions/take-next",
      "/api/sessions/take-next",
      livechatId === undefined ? {} : { livechat_id: livechatId },
    ),

  close: (sessionId: number) =>
    call("post", "/api/sessions/{session_id}/close", `/api/sessions/${sessionId}/close`),

  markRead: (sessionId: number, messageId: number) =>
    call("post", "/api/sessions/{session_id}/read", `/api/sessions/${sessionId}/read`, {
      message_id: messageId,
    }),

  assign: (sessionId: number, operatorId: number) =>
    call("post", "/api/sessions/{session_id}/assign", `/api/sessions/${sessionId}/assign`, {
      operator_id: operatorId,
    }),

  contact: (id: number) => call("get", "/api/contacts/{contact_id}", `/api/contacts/${id}`),

  livechat: async (id: number) =>
    (await call("get", "/api/livechats/{livechat_id}", `/api/livechats/${id}`)) as LivechatDetail,

  search: (q: string, sessionId?: number | null) =>
    call("get", "/api/search", `/api/search${query({ q, session_id: sessionId })}`),

  // --- administration (admins only) ---
  users: () => call("get", "/api/users", "/api/users"),
  createUser: (body: UserCreate) =>
    call("post", "/api/users", "/api/users", body as Schemas["UserCreate"]),
  updateUser: (id: number, body: UserUpdate) =>
    call("patch", "/api/users/{user_id}", `/api/users/${id}`, body),
  livechats: () => call("get", "/api/livechats", "/api/livechats"),
  createLivechat: async (name: string) =>
    (await call("post", "/api/livechats", "/api/livechats", { name })) as LivechatDetail,
  updateLivechat: async (id: number, body: Schemas["LiveChatUpdate"]) =>
    (await call(
      "patch",
      "/api/livechats/{livechat_id}",
      `/api/livechats/${id}`,
      body,
    )) as LivechatDetail,
  setMembers: async (id: number, operators: number[], supervisors: number[]) =>
    (await call(
      "put",
      "/api/livechats/{livechat_id}/members",
      `/api/livechats/${id}/members`,
      { operators, supervisors },
    )) as LivechatDetail,
  createChannel: (id: number, kind: ChannelKind, config: Record<string, unknown> = {}) =>
    call("post", "/api/livechats/{livechat_id}/channels", `/api/livechats/${id}/channels`, {
      kind,
      config,
      name: "",
    }),
};
