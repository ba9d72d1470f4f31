// The workspace's one store: plain state plus the actions that change it.
// Components read it with useStore(selector); the event stream feeds it by
// refetching what an event touched (simple and always correct; finer-grained
// patching can come once the event payloads are pinned down).
import { useSyncExternalStore } from "react";

import {
  type Account,
  ApiError,
  type App,
  type Contact,
  type Counters,
  type LivechatDetail,
  type Group,
  type GroupCounts,
  type Item,
  type Me,
  type Message,
  NetworkError,
  type OperatorStatus,
  type SearchResult,
  type SessionRow,
  api,
  setUnauthorizedHandler,
} from "./api/client";
import { type AlertData, playBeep, showBrowserNotification } from "./features/alerts/alerts";
import { boundApps } from "./features/customer/apps";
import { newestMessageId } from "./features/dialog/sessionBlocks";
import { defaultGroup } from "./features/livechats/groups";
import type { ConnectionState, EventFrame } from "./features/realtime/eventStream";
import { type Lang, type MessageKey, initialLang, storeLang, translate } from "./i18n";

export interface Selection {
  livechatId: number;
  group: Group;
}

export interface State {
  lang: Lang;
  authChecked: boolean;
  me: Me | null;
  status: OperatorStatus;
  selection: Selection | null;
  sessions: SessionRow[];
  sessionsCursor: string | number | null;
  openSession: SessionRow | null;
  messages: Message[];
  messagesCursor: string | number | null;
  counters: Counters | null;
  /** Per live chat id: how many sessions each of my groups in the left menu holds. */
  groupSizes: Record<number, GroupCounts>;
  connection: ConnectionState;
  notice: string | null;
  /** The open session's customer and live chat (the right-hand panel). */
  contact: Contact | null;
  livechatDetail: LivechatDetail | null;
  /** A message to scroll to and highlight (a search hit). */
  highlightId: number | null;
  search: { q: string; sessionId: number | null; result: SearchResult } | null;
  muted: boolean;
  toasts: Toast[];
  view: "workspace" | "admin" | "apps";
  /** Every app with its fields (GET /api/apps), for forms and names. */
  apps: App[];
  /** The app the Apps view shows. */
  appsViewAppId: number | null;
  /** An item open in a window over any view. */
  openItem: { appId: number; itemId: number } | null;
  /** Goes up whenever an item is created or changed here: lists showing items refetch. */
  itemsVersion: number;
  /** The open contact's items, and its customer record (the customer panel). */
  panelItems: Item[];
  account: Account | null;
}

export interface Toast {
  key: number;
  sessionId: number;
  title: string;
  text: string;
}

const MUTE_STORAGE_KEY = "livedesk.muted";

function initialMuted(): boolean {
  try {
    return globalThis.localStorage?.getItem(MUTE_STORAGE_KEY) === "1";
  } catch {
    return false;
  }
}

const initialState: State = {
  lang: initialLang(),
  authChecked: false,
  me: null,
  status: "online",
  selection: null,
  sessions: [],
  sessionsCursor: null,
  openSession: null,
  messages: [],
  messagesCursor: null,
  counters: null,
  groupSizes: {},
  connection: "stopped",
  notice: null,
  contact: null,
  livechatDetail: null,
  highlightId: null,
  search: null,
  muted: initialMuted(),
  toasts: [],
  view: "workspace",
  apps: [],
  appsViewAppId: null,
  openItem: null,
  itemsVersion: 0,
  panelItems: [],
  account: null,
};

let state: State = initialState;
const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useStore<T>(selector: (state: State) => T): T {
  return useSyncExternalStore(subscribe, () => selector(state));
}

// The notice of a request that got no answer at all (the server is down or the network
// gone) says so in the user's words, not the browser's "TypeError: Failed to fetch". The
// reconnecting banner says as much, and a reconnect refetches everything, so that notice
// goes once the event stream is open again.
let unansweredNotice: string | null = null;

function showError(error: unknown): void {
  const unanswered = error instanceof NetworkError;
  const notice = unanswered
    ? translate(state.lang, "serverUnreachable")
    : error instanceof ApiError
      ? error.message
      : String(error);
  unansweredNotice = unanswered ? notice : null;
  setState({ notice });
}

export function setNotice(notice: string | null): void {
  setState({ notice });
}

export function setLang(lang: Lang): void {
  storeLang(lang);
  if (state.notice !== null && state.notice === unansweredNotice) {
    unansweredNotice = translate(lang, "serverUnreachable");
    return setState({ lang, notice: unansweredNotice });
  }
  setState({ lang });
}

export function setConnection(connection: ConnectionState): void {
  const stale = connection === "open" && state.notice !== null && state.notice === unansweredNotice;
  setState(stale ? { connection, notice: null } : { connection });
}

function signedOutState(): State {
  return { ...initialState, lang: state.lang, muted: state.muted, authChecked: true };
}

setUnauthorizedHandler(() => {
  if (state.me) setState(signedOutState());
});

export function setMuted(muted: boolean): void {
  try {
    localStorage.setItem(MUTE_STORAGE_KEY, muted ? "1" : "0");
  } catch {
    // Not persisted; holds for this page.
  }
  setState({ muted });
}

export function setView(view: State["view"]): void {
  setState({ view });
}

export function dismissToast(key: number): void {
  setState({ toasts: state.toasts.filter((t) => t.key !== key) });
}

// --- session and identity ---------------------------------------------------

export async function loadMe(): Promise<void> {
  try {
    const me = await api.me();
    const first = me.livechats[0];
    const group = first ? defaultGroup(first.roles) : null;
    setState({
      me,
      authChecked: true,
      status: me.status ?? "online",
      counters: me.counters ?? state.counters,
      selection: first && group ? { livechatId: first.id, group } : null,
    });
    await Promise.all([refreshCounters(), refreshGroupSizes(), refreshSessions()]);
  } catch (error) {
    setState({ authChecked: true, me: null });
    if (!(error instanceof ApiError && error.status === 401)) showError(error);
  }
}

export async function login(email: string, password: string): Promise<void> {
  await api.login(email, password);
  await loadMe();
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } finally {
    setState(signedOutState());
  }
}

export async function changeStatus(status: OperatorStatus): Promise<void> {
  const previous = state.status;
  setState({ status });
  try {
    await api.setStatus(status);
  } catch (error) {
    setState({ status: previous });
    showError(error);
  }
}

// --- lists and counters -------------------------------------------------------

export async function refreshCounters(): Promise<void> {
  try {
    setState({ counters: await api.counters() });
  } catch (error) {
    showError(error);
  }
}

let groupSizesSeq = 0;

/** The sizes of the menu's groups (GET /api/livechats): they move with session.* events. */
export async function refreshGroupSizes(): Promise<void> {
  const seq = ++groupSizesSeq;
  try {
    const livechats = await api.livechats();
    if (seq !== groupSizesSeq) return; // a later refetch is under way: its answer is newer
    const groupSizes: Record<number, GroupCounts> = {};
    for (const livechat of livechats) {
      if (livechat.groups) groupSizes[livechat.id] = livechat.groups;
    }
    setState({ groupSizes });
  } catch (error) {
    showError(error);
  }
}

export async function refreshSessions(): Promise<void> {
  const selection = state.selection;
  if (!selection) return setState({ sessions: [], sessionsCursor: null });
  try {
    const page = await api.sessions(selection.livechatId, selection.group);
    if (state.selection !== selection) return; // the user moved on meanwhile
    setState({ sessions: page.items, sessionsCursor: page.next_cursor });
  } catch (error) {
    showError(error);
  }
}

/** ``run`` one at a time: a call while one is running joins it instead of starting another. */
function singleFlight(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () =>
    (running ??= run().finally(() => {
      running = null;
    }));
}

/** The next page of the list; one request at a time, so fast scrolling never appends a page
 * twice (the second request would go out with the same cursor). */
export const loadMoreSessions = singleFlight(() => fetchMoreSessions());

async function fetchMoreSessions(): Promise<void> {
  const { selection, sessionsCursor } = state;
  if (!selection || sessionsCursor === null) return;
  try {
    const page = await api.sessions(selection.livechatId, selection.group, sessionsCursor);
    // The user moved on, or the list was fetched afresh meanwhile: this page follows nothing.
    if (state.selection !== selection || state.sessionsCursor !== sessionsCursor) return;
    setState({ sessions: [...state.sessions, ...page.items], sessionsCursor: page.next_cursor });
  } catch (error) {
    showError(error);
  }
}

export function selectGroup(livechatId: number, group: Group): void {
  setState({ selection: { livechatId, group }, sessions: [], sessionsCursor: null });
  void refreshSessions();
}

// --- the open dialog ----------------------------------------------------------

export async function openSession(id: number, highlightId: number | null = null): Promise<void> {
  try {
    const [session, page] = await Promise.all([api.session(id), api.messages(id)]);
    // Pages come newest first; the dialog shows the newest at the bottom.
    const sameContact = state.contact?.id === session.contact.id;
    setState({
      openSession: session,
      messages: [...page.items].reverse(),
      messagesCursor: page.next_cursor,
      highlightId,
      contact: sameContact ? state.contact : null,
      panelItems: sameContact ? state.panelItems : [],
      account: sameContact ? state.account : null,
      livechatDetail:
        state.livechatDetail?.id === session.livechat_id ? state.livechatDetail : null,
    });
    void markLastRead();
    void loadPanel(session);
    if (highlightId !== null) await revealMessage(highlightId);
  } catch (error) {
    showError(error);
  }
}

/** The customer panel: the contact and the live chat's operators. */
async function loadPanel(session: SessionRow): Promise<void> {
  const [contact, detail] = await Promise.allSettled([
    api.contact(session.contact.id),
    api.livechat(session.livechat_id),
  ]);
  if (state.openSession?.id !== session.id) return;
  setState({
    contact: contact.status === "fulfilled" ? contact.value : null,
    livechatDetail: detail.status === "fulfilled" ? detail.value : null,
  });
  await refreshPanelApps();
}

/** The customer panel's items and customer record (what the live chat's apps give). */
export async function refreshPanelApps(): Promise<void> {
  const session = state.openSession;
  if (!session) return;
  const contactId = session.contact.id;
  const detail = state.livechatDetail;
  const bound = boundApps(detail?.id === session.livechat_id ? detail : null);
  const [items, account] = await Promise.allSettled([
    api.contactItems(contactId),
    bound.customer ? api.account(contactId) : Promise.resolve(null),
  ]);
  if (state.openSession?.contact.id !== contactId) return;
  setState({
    panelItems: items.status === "fulfilled" ? items.value : [],
    account: account.status === "fulfilled" ? account.value : null,
  });
  // The forms and the items' app names need the apps: fetch them once one is missing.
  const settings = state.livechatDetail?.settings ?? {};
  const wanted = [
    settings.item_app_id,
    settings.customer_app_id,
    ...state.panelItems.map((i) => i.app_id),
  ];
  if (wanted.some((id) => typeof id === "number" && !state.apps.some((a) => a.id === id))) {
    void loadApps();
  }
}

/** Load earlier pages until the message is present, then highlight it. */
export async function revealMessage(messageId: number): Promise<void> {
  const open = state.openSession;
  if (!open) return;
  for (let pages = 0; pages < 50; pages += 1) {
    if (state.messages.some((m) => m.id === messageId) || state.messagesCursor === null) break;
    await loadEarlierMessages();
    if (state.openSession?.id !== open.id) return;
  }
  setState({ highlightId: messageId });
}

export async function assignSession(operatorId: number): Promise<void> {
  const open = state.openSession;
  if (!open) return;
  try {
    setState({ openSession: await api.assign(open.id, operatorId) });
  } catch (error) {
    showError(error);
  }
  await Promise.all([
    refreshSessions(),
    refreshCounters(),
    refreshGroupSizes(),
    refreshOpenSession(),
  ]);
}

// --- search -----------------------------------------------------------------------

let searchSeq = 0;

/** With a session open: its chats and message hits; without: chats by name. */
export async function runSearch(q: string): Promise<void> {
  const text = q.trim();
  const seq = ++searchSeq;
  if (!text) return setState({ search: null });
  const sessionId = state.openSession?.id ?? null;
  try {
    const result = await api.search(text, sessionId);
    if (seq !== searchSeq) return;
    setState({ search: { q: text, sessionId, result } });
  } catch (error) {
    if (seq === searchSeq) showError(error);
  }
}

export function clearSearch(): void {
  searchSeq += 1;
  setState({ search: null });
}

/** The open dialog's newest page afresh, earlier pages dropped: after a customer record is
 * linked or unlinked, the history is a different set of contacts' messages. */
export async function reloadDialog(): Promise<void> {
  const open = state.openSession;
  if (!open) return;
  try {
    const page = await api.messages(open.id);
    if (state.openSession?.id !== open.id) return;
    setState({ messages: [...page.items].reverse(), messagesCursor: page.next_cursor });
  } catch (error) {
    showError(error);
  }
}

export async function refreshOpenSession(): Promise<void> {
  const open = state.openSession;
  if (!open) return;
  try {
    const [session, page] = await Promise.all([api.session(open.id), api.messages(open.id)]);
    if (state.openSession?.id !== open.id) return;
    // Keep earlier pages the user loaded; replace the newest page with the fresh one.
    const fresh = [...page.items].reverse();
    const oldestFresh = fresh[0]?.id;
    const kept = oldestFresh === undefined ? [] : state.messages.filter((m) => m.id < oldestFresh);
    setState({ openSession: session, messages: [...kept, ...fresh] });
    void markLastRead();
  } catch (error) {
    showError(error);
  }
}

/** The page before the oldest loaded message; one request at a time (scrolling asks often). */
export const loadEarlierMessages = singleFlight(() => fetchEarlierMessages());

async function fetchEarlierMessages(): Promise<void> {
  const { openSession: open, messagesCursor } = state;
  if (!open || messagesCursor === null) return;
  try {
    const page = await api.messages(open.id, messagesCursor);
    if (state.openSession?.id !== open.id) return;
    setState({
      messages: [...[...page.items].reverse(), ...state.messages],
      messagesCursor: page.next_cursor,
    });
  } catch (error) {
    showError(error);
  }
}

async function markLastRead(): Promise<void> {
  const open = state.openSession;
  const newest = newestMessageId(state.messages);
  if (!open || newest === null || open.unread_count === 0) return;
  try {
    await api.markRead(open.id, newest);
  } catch {
    // A failed read marker only leaves a counter high; the next open retries it.
  }
}

/** Takes not yet answered, by session: a reply sent meanwhile waits for its take. */
const takesInFlight = new Map<number, Promise<unknown>>();

export async function sendMessage(text: string, internal = false): Promise<boolean> {
  const open = state.openSession;
  if (!open || !text.trim()) return false;
  // Typed right after Take: send once the take has answered, or the server would refuse
  // the reply of an operator who has not taken the session yet.
  await takesInFlight.get(open.id);
  try {
    const message = await api.sendMessage(open.id, text, internal);
    if (state.highlightId !== null) setState({ highlightId: null });
    if (state.openSession?.id === open.id && !state.messages.some((m) => m.id === message.id)) {
      setState({ messages: [...state.messages, message] });
    }
    return true;
  } catch (error) {
    showError(error);
    return false;
  }
}

export async function takeSession(id: number): Promise<void> {
  const taking = api.take(id);
  const settled = taking.then(
    () => undefined,
    () => undefined,
  );
  takesInFlight.set(id, settled);
  try {
    setState({ openSession: await taking });
  } catch (error) {
    showError(error);
  } finally {
    if (takesInFlight.get(id) === settled) takesInFlight.delete(id);
  }
  await Promise.all([
    refreshSessions(),
    refreshCounters(),
    refreshGroupSizes(),
    refreshOpenSession(),
  ]);
}

export async function closeSession(id: number): Promise<void> {
  try {
    setState({ openSession: await api.close(id) });
  } catch (error) {
    showError(error);
  }
  await Promise.all([
    refreshSessions(),
    refreshCounters(),
    refreshGroupSizes(),
    refreshOpenSession(),
  ]);
}

/** The blue counter's click: take the longest-waiting session and open it. */
export async function takeNext(noWaitingText: string): Promise<void> {
  try {
    const session = await api.takeNext();
    const membership = state.me?.livechats.find((l) => l.id === session.livechat_id);
    if (membership?.roles.includes("operator")) selectGroup(session.livechat_id, "mine");
    await Promise.all([openSession(session.id), refreshCounters(), refreshGroupSizes()]);
  } catch (error) {
    if (error instanceof ApiError && error.code === "no_waiting_sessions") {
      setState({ notice: noWaitingText });
      await refreshCounters();
    } else {
      showError(error);
    }
  }
}

// --- apps and items ----------------------------------------------------------------

let appsSeq = 0;

/** Every app with its fields; forms read their fields from here, so it is fetched again
 * whenever one opens (admins may have changed an app meanwhile). */
export async function loadApps(): Promise<App[]> {
  const seq = ++appsSeq;
  try {
    const apps = await api.apps();
    if (seq === appsSeq) setState({ apps });
    return apps;
  } catch (error) {
    showError(error);
    return state.apps;
  }
}

export function showAppsView(appId: number | null = state.appsViewAppId): void {
  setState({ view: "apps", appsViewAppId: appId });
}

export function selectApp(appId: number): void {
  setState({ appsViewAppId: appId });
}

export function showItem(appId: number, itemId: number): void {
  setState({ openItem: { appId, itemId } });
}

export function closeItem(): void {
  setState({ openItem: null });
}

/** An item was created or changed here: lists refetch, the customer panel too. */
export function itemSaved(): void {
  setState({ itemsVersion: state.itemsVersion + 1 });
  void refreshPanelApps();
}

/** Create an item of the live chat's item app from the open chat. Errors are thrown for
 * the form to show next to its fields. */
export async function createSessionItem(fields: Record<string, unknown>): Promise<Item> {
  const open = state.openSession;
  if (!open) throw new Error("no open session");
  const { item, message } = await api.sessionItem(open.id, fields);
  if (state.openSession?.id === open.id && !state.messages.some((m) => m.id === message.id)) {
    setState({ messages: [...state.messages, message] });
  }
  itemSaved();
  return item;
}

/** Create the contact's customer record (`fields`), link an existing one (`item_id`), or
 * unlink (null); then the panel and the dialog (whose history follows the links) reload. */
export async function changeAccount(
  body: { fields: Record<string, unknown> } | { item_id: number } | null,
): Promise<void> {
  const open = state.openSession;
  if (!open) return;
  const contactId = open.contact.id;
  const account = body ? await api.setAccount(contactId, body) : await api.unlinkAccount(contactId);
  if (state.openSession?.contact.id === contactId) setState({ account });
  if (body && "fields" in body) setState({ itemsVersion: state.itemsVersion + 1 });
  await Promise.all([reloadDialog(), loadPanel(open)]);
}

// --- live updates ---------------------------------------------------------------

let refetchTimer: ReturnType<typeof setTimeout> | null = null;
const pending = { sessions: false, counters: false, groups: false, dialog: false };
/** Events often come in bursts: coalesce the refetches they cause. */
const REFETCH_DEBOUNCE_MS = 80;

function scheduleRefetch(what: Partial<typeof pending>): void {
  Object.assign(pending, Object.fromEntries(Object.entries(what).filter(([, v]) => v)));
  if (refetchTimer !== null) return;
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    const todo = { ...pending };
    pending.sessions = pending.counters = pending.groups = pending.dialog = false;
    if (todo.sessions) void refreshSessions();
    if (todo.counters) void refreshCounters();
    if (todo.groups) void refreshGroupSizes();
    if (todo.dialog) void refreshOpenSession();
  }, REFETCH_DEBOUNCE_MS);
}

function touchesOpenSession(frame: EventFrame): boolean {
  const open = state.openSession;
  if (!open) return false;
  const { session_id: sessionId, id } = frame.data;
  const session = frame.data.session as { id?: unknown } | undefined;
  // message.created carries {message: {session_id, ...}}.
  const message = frame.data.message as { session_id?: unknown } | undefined;
  return (
    sessionId === open.id ||
    id === open.id ||
    session?.id === open.id ||
    message?.session_id === open.id
  );
}

export function applyEvent(frame: EventFrame): void {
  if (frame.type === "counters") {
    const data = frame.data as Partial<Counters>;
    if (typeof data.red === "number" && typeof data.blue === "number") {
      setState({ counters: { ...state.counters, ...data } as Counters });
    } else {
      scheduleRefetch({ counters: true });
    }
  } else if (frame.type === "message.created" || frame.type.startsWith("session.")) {
    // Someone created an item from this chat: the customer panel lists it.
    const system = (frame.data.message as { system?: { kind?: unknown } } | undefined)?.system;
    if (system?.kind === "item_created" && touchesOpenSession(frame)) void refreshPanelApps();
    scheduleRefetch({
      sessions: true,
      counters: true,
      // Takes, assignments and closes move the menu's group sizes; messages do not.
      groups: frame.type.startsWith("session.") && frame.type !== "session.read",
      dialog: touchesOpenSession(frame),
    });
  } else if (frame.type === "alert") {
    scheduleRefetch({ sessions: true, counters: true });
    raiseAlert(frame.data as unknown as AlertData);
  } else if (frame.type === "presence") {
    applyPresence(frame.data as { user_id?: unknown; status?: unknown });
  } else if (frame.type === "membership.changed" || frame.type === "livechat.updated") {
    void reloadMemberships();
    // The customer panel shows what the live chat's settings bind (apps).
    if (state.openSession) void loadPanel(state.openSession);
  } else if (frame.type === "resync_required") {
    resyncAll();
  }
}

/** An operator's status changed: update the Assign operator list (and my own status). */
function applyPresence(data: { user_id?: unknown; status?: unknown }): void {
  const status = data.status;
  if (status !== "online" && status !== "away" && status !== "offline") return;
  const patch: Partial<State> = {};
  if (data.user_id === state.me?.id) patch.status = status;
  const detail = state.livechatDetail;
  if (detail?.members.some((m) => m.id === data.user_id)) {
    patch.livechatDetail = {
      ...detail,
      members: detail.members.map((m) => (m.id === data.user_id ? { ...m, status } : m)),
    };
  }
  if (Object.keys(patch).length > 0) setState(patch);
}

let toastSeq = 0;
const TOAST_MS = 6000;

/** A customer wrote to one of my live chats: toast, sound, and a notification when hidden. */
function raiseAlert(data: AlertData): void {
  if (typeof data?.session_id !== "number") return;
  const key = ++toastSeq;
  const toast: Toast = {
    key,
    sessionId: data.session_id,
    title: data.name ?? "",
    text: data.preview ?? "",
  };
  setState({ toasts: [...state.toasts.slice(-3), toast] });
  setTimeout(() => dismissToast(key), TOAST_MS);
  if (!state.muted) playBeep();
  if (typeof document !== "undefined" && document.hidden) {
    showBrowserNotification(toast.title, toast.text, () => {
      window.focus();
      void openSession(toast.sessionId);
    });
  }
}

/** My live chats or their names changed: reload them, keep the selection if still there. */
async function reloadMemberships(): Promise<void> {
  try {
    const me = await api.me();
    const selection = state.selection;
    const still = selection && me.livechats.some((l) => l.id === selection.livechatId);
    const first = me.livechats[0];
    const group = first ? defaultGroup(first.roles) : null;
    setState({
      me,
      selection: still ? selection : first && group ? { livechatId: first.id, group } : null,
    });
    scheduleRefetch({ sessions: true, counters: true, groups: true });
  } catch (error) {
    showError(error);
  }
}

/** After a reconnect or a resync answer: fetch everything visible afresh. */
export function resyncAll(): void {
  scheduleRefetch({ sessions: true, counters: true, groups: true, dialog: true });
}

/** The label function for the current language. */
export function useT(): (key: MessageKey) => string {
  const lang = useStore((s) => s.lang);
  return (key) => translate(lang, key);
}
