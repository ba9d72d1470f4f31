// The workspace's one store: plain state plus the actions that change it.
// Components read it with useStore(selector); the event stream feeds it by
// refetching what an event touched (simple and always correct; finer-grained
// patching can come once the event payloads are pinned down).
import { useSyncExternalStore } from "react";

import {
  ApiError,
  type Counters,
  type Group,
  type Me,
  type Message,
  type OperatorStatus,
  type SessionRow,
  api,
  setUnauthorizedHandler,
} from "./api/client";
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

setUnauthorizedHandler(() => {
  if (state.me) setState({ ...initialState, lang: state.lang, authChecked: true });
});

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
    setState({ ...initialState, lang: state.lang, authChecked: true });
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

export async function openSession(id: number): Promise<void> {
  try {
    const [session, page] = await Promise.all([api.session(id), api.messages(id)]);
    // Pages come newest first; the dialog shows the newest at the bottom.
    setState({
      openSession: session,
      messages: [...page.items].reverse(),
      messagesCursor: page.next_cursor,
    });
    void markLastRead();
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
  const last = state.messages[state.messages.length - 1];
  if (!open || !last || open.unread_count === 0) return;
  try {
    await api.markRead(open.id, last.id);
  } catch {
    // A failed read marker only leaves a counter high; the next open retries it.
  }
}

export async function sendMessage(text: string): Promise<boolean> {
  const open = state.openSession;
  if (!open || !text.trim()) return false;
  try {
    const message = await api.sendMessage(open.id, text);
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
  } else if (frame.type === "resync_required") {
    resyncAll();
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
