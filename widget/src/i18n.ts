// The chat frame's words, in the visitor's browser language (English otherwise).

const en = {
  online: "We're online",
  offline: "Offline",
  offlineDefault:
    "No one is online right now. Leave a message and we'll answer here as soon as we can.",
  intro: "Introduce yourself to start the chat.",
  name: "Name",
  email: "E-mail",
  start: "Start chat",
  placeholder: "Type a message…",
  send: "Send",
  minimize: "Minimize chat",
  you: "You",
  typing: (name: string) => `${name || "Operator"} is typing…`,
  closed: "The conversation was closed. Write again to start a new one.",
  empty: "Ask us anything: we usually reply in a few minutes.",
  connecting: "Connecting…",
  unreachable: "Can't reach the chat. Retrying…",
  rateLimited: "Too many messages at once: wait a moment and try again.",
  sendFailed: "The message was not sent. Try again.",
  badEmail: "Check the e-mail address.",
  nameRequired: "Tell us your name.",
  gone: "This chat is not available.",
  attach: "Attach a file",
  attachments: "Attachments",
  remove: "Remove",
  uploading: "Uploading…",
  tooLarge: (limit: string) => `File is larger than ${limit}`,
  emptyFile: "File is empty",
  uploadFailed: "Upload failed",
  download: "Download",
  units: ["B", "KB", "MB"],
};

type Words = typeof en;

const ru: Words = {
  online: "Мы на связи",
  offline: "Не в сети",
  offlineDefault:
    "Сейчас никого нет на связи. Оставьте сообщение: мы ответим здесь, как только сможем.",
  intro: "Представьтесь, чтобы начать чат.",
  name: "Имя",
  email: "E-mail",
  start: "Начать чат",
  placeholder: "Напишите сообщение…",
  send: "Отправить",
  minimize: "Свернуть чат",
  you: "Вы",
  typing: (name: string) => `${name || "Оператор"} печатает…`,
  closed: "Разговор закрыт. Напишите снова, чтобы начать новый.",
  empty: "Спросите нас о чём угодно: обычно мы отвечаем за несколько минут.",
  connecting: "Подключение…",
  unreachable: "Нет связи с чатом. Пробуем снова…",
  rateLimited: "Слишком много сообщений подряд: подождите немного.",
  sendFailed: "Сообщение не отправлено. Попробуйте ещё раз.",
  badEmail: "Проверьте адрес e-mail.",
  nameRequired: "Как вас зовут?",
  gone: "Этот чат недоступен.",
  attach: "Прикрепить файл",
  attachments: "Вложения",
  remove: "Убрать",
  uploading: "Загрузка…",
  tooLarge: (limit: string) => `Файл больше ${limit}`,
  emptyFile: "Файл пустой",
  uploadFailed: "Не удалось загрузить",
  download: "Скачать",
  units: ["Б", "КБ", "МБ"],
};

export function words(language: string): Words {
  return language.toLowerCase().startsWith("ru") ? ru : en;
}

export type { Words };
