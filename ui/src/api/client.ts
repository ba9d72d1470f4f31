// Fetch wrapper for the livedesk API (spec: API.md, version 1).
//
// The types come from the server's OpenAPI document: `src/api/openapi.json` is
// `uv run livedesk openapi` committed as is, and `npm run gen:api` turns it into
// `src/api/schema.d.ts`. Refresh both whenever the server's API changes. Every
// HTTP call of the UI lives in this file; `call` checks each one's path, body and
// answer against the schema.
import { type ItemQuery, itemsQuery } from "./itemsQuery";
import type { components, paths } from "./schema";

export type { ItemQuery } from "./itemsQuery";
/** An item's values by field key (null: empty). */
export type FieldValues = Record<string, unknown>;

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

/** The kinds of value an app's field holds (docs/apps.md, "Fields"). */
export type FieldType = Schemas["FieldDef"]["type"];
/** A field as an app lists it; the server only ever sends the FieldType names. */
export type AppField = Omit<Schemas["FieldOut"], "type"> & { type: FieldType };
export type App = Omit<Schemas["AppPublic"], "fields"> & { fields: AppField[] };
export type AppInput = Schemas["AppCreate"];
export type Item = Schemas["ItemPublic"];
export type ItemPage = Schemas["ItemPage"];
/** A contact's customer record and the contacts linked to it. */
export type Account = Schemas["AccountOut"];

/** `GET /api/counters`, and the `counters` event. */
export type Counters = Schemas["CountersPublic"];
/** The sizes of a live chat's groups in the left menu (null: not one of my groups there). */
export type GroupCounts = Schemas["GroupCounts"];

export type Me = Omit<Schemas["MeOut"], "livechats" | "counters"> & {
  livechats: LivechatMembership[];
  counters?: Counters;
};

export interface Page<T> {
  items: T[];
  next_cursor: string | number | null;
}

// --- typing a call by its OpenAPI path ----------------------------------------

type Method = "get" | "post" | "put" | "patch" | "delete";
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

/** A request that got no answer at all: the server is down or the network gone. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
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
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new NetworkError(String(error));
  }
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

  sendMessage: (sessionId: number, text: string, internal = false, attachments: number[] = []) =>
    call("post", "/api/sessions/{session_id}/messages", `/api/sessions/${sessionId}/messages`, {
      text,
      internal,
      attachments,
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
  createApp: async (body: AppInput) => (await call("post", "/api/apps", "/api/apps", body)) as App,
  updateApp: async (id: number, body: Partial<AppInput>) =>
    (await call("patch", "/api/apps/{app_id}", `/api/apps/${id}`, body)) as App,

  // --- apps and items (docs/apps.md) ---
  apps: async () => (await call("get", "/api/apps", "/api/apps")) as App[],
  app: async (id: number) => (await call("get", "/api/apps/{app_id}", `/api/apps/${id}`)) as App,
  items: (appId: number, params: ItemQuery = {}) =>
    call("get", "/api/apps/{app_id}/items", `/api/apps/${appId}/items${itemsQuery(params)}`),
  item: (appId: number, itemId: number) =>
    call("get", "/api/apps/{app_id}/items/{item_id}", `/api/apps/${appId}/items/${itemId}`),
  createItem: (appId: number, fields: FieldValues) =>
    call("post", "/api/apps/{app_id}/items", `/api/apps/${appId}/items`, { fields }),
  updateItem: (appId: number, itemId: number, fields: FieldValues) =>
    call("patch", "/api/apps/{app_id}/items/{item_id}", `/api/apps/${appId}/items/${itemId}`, {
      fields,
    }),
  /** An item of the live chat's item app, from this chat: the item and its system line. */
  sessionItem: (sessionId: number, fields: FieldValues) =>
    call("post", "/api/sessions/{session_id}/items", `/api/sessions/${sessionId}/items`, {
      fields,
    }),
  contactItems: (contactId: number) =>
    call("get", "/api/contacts/{contact_id}/items", `/api/contacts/${contactId}/items`),
  account: (contactId: number) =>
    call("get", "/api/contacts/{contact_id}/account", `/api/contacts/${contactId}/account`),
  /** Create the customer record from `fields`, or link the existing record `item_id`. */
  setAccount: (contactId: number, body: { fields: FieldValues } | { item_id: number }) =>
    call(
      "post",
      "/api/contacts/{contact_id}/account",
      `/api/contacts/${contactId}/account`,
      body as Schemas["AccountIn"],
    ),
  unlinkAccount: (contactId: number) =>
    call("delete", "/api/contacts/{contact_id}/account", `/api/contacts/${contactId}/account`),
};

// --- attachments ------------------------------------------------------------------
// An upload is the file's raw bytes as the body (its type in Content-Type, its name in
// ?name=); it goes through XMLHttpRequest because fetch() reports no upload progress.

/** A file on a message; `url` downloads it (images are served inline). */
export type Attachment = Schemas["AttachmentOut"];

/** The server's default `max_upload_bytes`; a server may be set lower (413 file_too_large). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const UPLOAD_ROUTE = "/api/sessions/{session_id}/files" satisfies keyof paths;
type UploadAnswer = Answer<Operation<typeof UPLOAD_ROUTE, "post">>;

export interface Upload {
  /** The attachment, or an ApiError (code `aborted` after `abort()`, `network_error` offline). */
  done: Promise<UploadAnswer>;
  abort: () => void;
}

/** Upload a file for a reply or a note in this session; `onProgress` gets the share sent (0..1). */
export function uploadFile(
  sessionId: number,
  file: Blob,
  name: string,
  onProgress?: (sent: number) => void,
): Upload {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadAnswer>((resolve, reject) => {
    xhr.open("POST", `/api/sessions/${sessionId}/files${query({ name })}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const answer = new Response(xhr.responseText, { status: xhr.status });
      if (answer.ok) resolve(JSON.parse(xhr.responseText) as UploadAnswer);
      else void toApiError(answer).then(reject);
    };
    xhr.onerror = () =>
      reject(new ApiError(0, "network_error", "The file did not reach the server."));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "The upload was cancelled."));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
