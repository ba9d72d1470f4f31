/** Short local time for today, date otherwise. */
export function shortTime(iso: string | undefined | null, now: Date = new Date()): string {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const sameDay = when.toDateString() === now.toDateString();
  return sameDay
    ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : when.toLocaleDateString();
}

/** Up to two initials for the avatar circle. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => Array.from(w)[0]?.toUpperCase() ?? "")
    .join("") || "?";
}

const CHANNEL_LABELS: Record<string, string> = {
  widget: "Web",
  telegram: "TG",
  api: "API",
  whatsapp: "WA",
  email: "Mail",
};

/** Text label of the channel a customer wrote from (icons can replace it later). */
export function channelLabel(kind: string): string {
  return CHANNEL_LABELS[kind] ?? kind;
}
