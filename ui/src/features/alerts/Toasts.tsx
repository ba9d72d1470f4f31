import { dismissToast, openSession, useStore, useT } from "../../store";

/** Alerts as toasts; a click opens the session. */
export function Toasts() {
  const t = useT();
  const toasts = useStore((s) => s.toasts);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.key} className="toast" role="status" data-session-id={toast.sessionId}>
          <button
            type="button"
            className="toast-body"
            onClick={() => {
              dismissToast(toast.key);
              void openSession(toast.sessionId);
            }}
          >
            <strong>{toast.title || t("newMessage")}</strong>
            <span>{toast.text}</span>
          </button>
          <button
            type="button"
            className="link"
            aria-label={t("dismiss")}
            onClick={() => dismissToast(toast.key)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
