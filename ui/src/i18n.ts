// Visible labels of the operator workspace. `ru` is typed against `en`, so a
// label added in English and forgotten in Russian fails the typecheck.

const en = {
  appName: "livedesk",
  email: "E-mail",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  signOut: "Sign out",
  loginFailed: "Wrong e-mail or password",
  groupMine: "My chats",
  groupUnassigned: "Unassigned",
  groupActive: "Active",
  groupClosed: "Closed",
  noLivechats: "You are not a member of any live chat yet.",
  noSessions: "No chats here.",
  loadMore: "Load more",
  loadEarlier: "Load earlier messages",
  pickSession: "Pick a chat on the left.",
  take: "Take",
  close: "Close chat",
  newBadge: "New",
  composerPlaceholder: "Type a reply… (Enter sends, Shift+Enter: new line)",
  send: "Send",
  statusOnline: "Online",
  statusAway: "Away",
  statusOffline: "Offline",
  status: "Status",
  redCounterTitle: "Chats that need your attention",
  blueCounterTitle: "Unassigned chats waiting: click to take the next one",
  takeNext: "Take next",
  noWaiting: "No chats are waiting.",
  reconnecting: "Reconnecting…",
  earlierSession: "Earlier session",
  internalNote: "Internal note",
  assignedTo: "Assigned to",
  language: "Language",
} as const;

export type MessageKey = keyof typeof en;
export type Lang = "en" | "ru";

const ru: Record<MessageKey, string> = {
  appName: "livedesk",
  email: "E-mail",
  password: "Пароль",
  signIn: "Войти",
  signingIn: "Вход…",
  signOut: "Выйти",
  loginFailed: "Неверный e-mail или пароль",
  groupMine: "Мои чаты",
  groupUnassigned: "Неназначенные",
  groupActive: "Активные",
  groupClosed: "Закрытые",
  noLivechats: "Вы пока не состоите ни в одном чате.",
  noSessions: "Здесь нет чатов.",
  loadMore: "Загрузить ещё",
  loadEarlier: "Загрузить более ранние сообщения",
  pickSession: "Выберите чат слева.",
  take: "Взять",
  close: "Закрыть чат",
  newBadge: "Новый",
  composerPlaceholder: "Введите ответ… (Enter — отправить, Shift+Enter — новая строка)",
  send: "Отправить",
  statusOnline: "В сети",
  statusAway: "Отошёл",
  statusOffline: "Не в сети",
  status: "Статус",
  redCounterTitle: "Чаты, требующие вашего внимания",
  blueCounterTitle: "Ожидающие неназначенные чаты: нажмите, чтобы взять следующий",
  takeNext: "Взять следующий",
  noWaiting: "Нет ожидающих чатов.",
  reconnecting: "Переподключение…",
  earlierSession: "Предыдущая сессия",
  internalNote: "Внутренняя заметка",
  assignedTo: "Назначен",
  language: "Язык",
};

const STRINGS: Record<Lang, Record<MessageKey, string>> = { en, ru };
const LANG_STORAGE_KEY = "livedesk.lang";

/** English unless the user picked Russian before (stored in localStorage). */
export function initialLang(): Lang {
  try {
    return globalThis.localStorage?.getItem(LANG_STORAGE_KEY) === "ru" ? "ru" : "en";
  } catch {
    return "en";
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Not persisted; the choice still holds for this page.
  }
}

export function translate(lang: Lang, key: MessageKey): string {
  return STRINGS[lang][key];
}
