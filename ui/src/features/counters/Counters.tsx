import { useEffect } from "react";

import { setMuted, takeNext, useStore, useT } from "../../store";
import { requestNotificationPermission } from "../alerts/alerts";
import { pageTitle, setFavicon } from "./favicon";

/** Red counter: sessions needing the user's attention (PRODUCT.md, "Counters"); mirrored in
 * the page title and the favicon. */
export function RedCounter() {
  const t = useT();
  const red = useStore((s) => s.counters?.red ?? 0);
  useEffect(() => {
    document.title = pageTitle(red);
    setFavicon(red);
  }, [red]);
  return (
    <span className={red > 0 ? "counter red" : "counter red zero"} title={t("redCounterTitle")}>
      {red}
    </span>
  );
}

/** Blue counter: unassigned sessions waiting; a click takes the next one and opens it. */
export function BlueCounter() {
  const t = useT();
  const blue = useStore((s) => s.counters?.blue ?? 0);
  return (
    <button
      type="button"
      className="counter blue"
      title={t("blueCounterTitle")}
      onClick={() => {
        requestNotificationPermission();
        void takeNext(t("noWaiting"));
      }}
    >
      {t("takeNext")} <span className="count">{blue}</span>
    </button>
  );
}

/** Sound on/off for alerts (kept in localStorage); the click also asks for notifications. */
export function MuteToggle() {
  const t = useT();
  const muted = useStore((s) => s.muted);
  return (
    <button
      type="button"
      className="mute"
      aria-pressed={muted}
      title={muted ? t("unmute") : t("mute")}
      aria-label={muted ? t("unmute") : t("mute")}
      onClick={() => {
        requestNotificationPermission();
        setMuted(!muted);
      }}
    >
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
        <path
          d="M8 1.5a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v2.8l1.2 1.5v.7H2.3v-.7l1.2-1.5V7.5A4.5 4.5 0 0 1 7 3.1v-.6a1 1 0 0 1 1-1zM6.3 13.5h3.4a1.7 1.7 0 0 1-3.4 0z"
          fill="currentColor"
        />
        {muted && <path d="M2 2l12 12" stroke="#e03a3a" strokeWidth="1.8" />}
      </svg>
    </button>
  );
}
