import type { SessionRow } from "../../api/client";
import { loadMoreSessions, openSession, useStore, useT } from "../../store";
import { channelLabel, initials, shortTime } from "./format";

export function SessionList() {
  const t = useT();
  const sessions = useStore((s) => s.sessions);
  const cursor = useStore((s) => s.sessionsCursor);
  const openId = useStore((s) => s.openSession?.id ?? null);

  return (
    <div className="session-list">
      {sessions.length === 0 && <p className="muted">{t("noSessions")}</p>}
      <ul>
        {sessions.map((session) => (
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
            <span className="channel" title={session.channel_kind}>
              {channelLabel(session.channel_kind)}
            </span>
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
