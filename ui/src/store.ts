// The workspace's one store: plain state plus the actions that change it.
// Components read it with useStore(selector); the event stream feeds it by
// refetching what an event touched (simple and always correct; finer-grained
// patching can come once the event payloads are pinned down).
import { useSyncExternalStore } from "react";

import {
  ApiError,
  type Contact,
  type Counters,
  type LivechatDetail,
  type Group,
  type Me,
  type Message,
  type OperatorStatus,
  type SearchResult,
  type SessionRow,
  api,
  setUnauthorizedHandler,
} from "./api/client";
import { type AlertData, playBeep, showBrowserNotification } from "./features/alerts/alerts";
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
  view: "workspace" | "admin";
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
  connection: "stopped",
  notice: null,
  contact: null,
  livechatDetail: null,
  highlightId: null,
  search: null,
  muted: initialMuted(),
  toasts: [],
  view: "workspace",
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

function showError(error: unknown): void {
  const notice = error instanceof ApiError ? error.message : String(error);
  setState({ notice });
}

export function setNotice(notice: string | null): void {
  setState({ notice });
}

export function setLang(lang: Lang): void {
  storeLang(lang);
  setState({ lang });
}

export function setConnection(connection: ConnectionState): void {
  setState({ connection });
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
    await Promise.all([refreshCounters(), refreshSessions()]);
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

export async function loadMoreSessions(): Promise<void> {
  const { selection, sessionsCursor } = state;
  if (!selection || sessionsCursor === null) return;
  try {
    const page = await api.sessions(selection.livechatId, selection.group, sessionsCursor);
    if (state.selection !== selection) return;
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
  await Promise.all([refreshSessions(), refreshCounters(), refreshOpenSession()]);
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

export async function loadEarlierMessages(): Promise<void> {
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

export async function sendMessage(text: string, internal = false): Promise<boolean> {
  const open = state.openSession;
  if (!open || !text.trim()) return false;
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
  try {
    setState({ openSession: await api.take(id) });
  } catch (error) {
    showError(error);
  }
  await Promise.all([refreshSessions(), refreshCounters(), refreshOpenSession()]);
}

export async function closeSession(id: number): Promise<void> {
  try {
    setState({ openSession: await api.close(id) });
  } catch (error) {
    showError(error);
  }
  await Promise.all([refreshSessions(), refreshCounters(), refreshOpenSession()]);
}

/** The blue counter's click: take the longest-waiting session and open it. */
export async function takeNext(noWaitingText: string): Promise<void> {
  try {
    const session = await api.takeNext();
    const membership = state.me?.livechats.find((l) => l.id === session.livechat_id);
    if (membership?.roles.includes("operator")) selectGroup(session.livechat_id, "mine");
    await Promise.all([openSession(session.id), refreshCounters()]);
  } catch (error) {
    if (error instanceof ApiError && error.code === "no_waiting_sessions") {
      setState({ notice: noWaitingText });
      await refreshCounters();
    } else {
      showError(error);
    }
  }
}

// --- live updates ---------------------------------------------------------------

let refetchTimer: ReturnType<typeof setTimeout> | null = null;
const pending = { sessions: false, counters: false, dialog: false };
/** Events often come in bursts: coalesce the refetches they cause. */
const REFETCH_DEBOUNCE_MS = 80;

function scheduleRefetch(what: Partial<typeof pending>): void {
  Object.assign(pending, Object.fromEntries(Object.entries(what).filter(([, v]) => v)));
  if (refetchTimer !== null) return;
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    const todo = { ...pending };
    pending.sessions = pending.counters = pending.dialog = false;
    if (todo.sessions) void refreshSessions();
    if (todo.counters) void refreshCounters();
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
    scheduleRefetch({ sessions: true, counters: true, dialog: touchesOpenSession(frame) });
  } else if (frame.type === "alert") {
    scheduleRefetch({ sessions: true, counters: true });
    raiseAlert(frame.data as unknown as AlertData);
  } else if (frame.type === "presence") {
    applyPresence(frame.data as { user_id?: unknown; status?: unknown });
  } else if (frame.type === "membership.changed" || frame.type === "livechat.updated") {
    void reloadMemberships();
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
    scheduleRefetch({ sessions: true, counters: true });
  } catch (error) {
    showError(error);
  }
}

/** After a reconnect or a resync answer: fetch everything visible afresh. */
export function resyncAll(): void {
  scheduleRefetch({ sessions: true, counters: true, dialog: true });
}

/** The label function for the current language. */
export function useT(): (key: MessageKey) => string {
  const lang = useStore((s) => s.lang);
  return (key) => translate(lang, key);
}
