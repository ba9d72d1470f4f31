import { channelLabel } from "./format";

const COLORS: Record<string, string> = { telegram: "#229ed9", widget: "#2f6fed", api: "#6b7585" };
const NAMES: Record<string, string> = { telegram: "Telegram", widget: "Website widget", api: "API" };

/** The messenger a customer wrote from: a small coloured icon (inline SVG, no image files). */
export function ChannelIcon({ kind }: { kind: string | null | undefined }) {
  const k = kind ?? "widget";
  const color = COLORS[k] ?? "#6b7585";
  const name = NAMES[k] ?? k;
  return (
    <span className={`channel channel-${k}`} title={name} aria-label={name} role="img">
      <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
        <circle cx="8" cy="8" r="8" fill={color} />
        {k === "telegram" ? (
          <path d="M3.5 7.8l8.2-3.3c.4-.1.7.1.6.6l-1.4 6.5c-.1.4-.4.5-.8.3L8 10.4l-1 1c-.1.1-.2.2-.4.2l.1-2.2 4-3.6c.2-.2 0-.2-.2-.1L5.5 8.8 3.4 8.1c-.4-.1-.4-.4.1-.3z" fill="#fff" />
        ) : k === "widget" ? (
          <path d="M4 5h8v5H7l-2 2v-2H4z" fill="#fff" />
        ) : (
          <text x="8" y="11" fontSize="7" textAnchor="middle" fill="#fff">
            {channelLabel(k)}
          </text>
        )}
      </svg>
    </span>
  );
}
