import { useEffect, useRef, useState } from "react";

import type { SessionRow } from "../../api/client";
import { loadMoreSessions, openSession, useStore, useT } from "../../store";
import { ChannelIcon } from "./ChannelIcon";
import { initials, shortTime } from "./format";
import { nearEnd, virtualRange } from "./virtualRange";

/** Every row is this tall (styles.css: .session-row), which makes windowing simple. */
export const ROW_HEIGHT = 58;

export function SessionList() {
  const t = useT();
  const sessions = useStore((s) => s.sessions);
  const cursor = useStore((s) => s.sessionsCursor);
  const openId = useStore((s) => s.openSession?.id ?? null);
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || 800 });
    measure();
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    observer?.observe(el);
    return () => observer?.disconnect();
  }, []);

  const total = sessions.length * ROW_HEIGHT;
  useEffect(() => {
    if (cursor !== null && sessions.length > 0 && nearEnd(view.top, view.height, total)) {
      void loadMoreSessions();
    }
  }, [cursor, sessions.length, view, total]);

  const range = virtualRange(view.top, view.height, ROW_HEIGHT, sessions.length);
  return (
    <div
      className="session-list"
      ref={box}
      onScroll={(event) =>
        setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight })
      }
    >
      {sessions.length === 0 && <p className="muted">{t("noSessions")}</p>}
      <ul style={{ paddingTop: range.padTop, paddingBottom: range.padBottom }}>
        {sessions.slice(range.start, range.end).map((session) => (
          <SessionItem key={session.id} session={session} open={session.id === openId} />
        ))}
      </ul>
      {cursor !== null && (
        <button type="button" className="link" onClick={() => void loadMoreSessions()}>
          {t("loadMore")}
        </button>
      )}
    </div>
  );
}

function SessionItem({ session, open }: { session: SessionRow; open: boolean }) {
  const t = useT();
  const isNew = session.is_new || session.status === "unassigned";
  return (
    <li>
      <button
        type="button"
        className={open ? "session-row open" : "session-row"}
        data-session-id={session.id}
        onClick={() => void openSession(session.id)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(session.name)}
        </span>
        <span className="session-main">
          <span className="session-top">
            <span className="session-name">{session.name}</span>
            <ChannelIcon kind={session.channel_kind} />
            {isNew && <span className="badge-new">{t("newBadge")}</span>}
            <span className="time">{shortTime(session.last_message?.created_at)}</span>
          </span>
          <span className="session-bottom">
            <span className="preview">{session.last_message?.text ?? ""}</span>
            {session.unread_count > 0 && <span className="unread">{session.unread_count}</span>}
          </span>
        </span>
      </button>
    </li>
  );
}
