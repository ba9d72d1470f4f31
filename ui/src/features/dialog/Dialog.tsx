import { useEffect, useRef } from "react";

import type { Message } from "../../api/client";
import { closeSession, loadEarlierMessages, takeSession, useStore, useT } from "../../store";
import { channelLabel, shortTime } from "../sessions/format";
import { Composer } from "./Composer";

export function Dialog() {
  const t = useT();
  const session = useStore((s) => s.openSession);
  if (!session) return <section className="dialog empty muted">{t("pickSession")}</section>;

  return (
    <section className="dialog" aria-label={session.name}>
      <header className="dialog-header">
        <h2>{session.name}</h2>
        <span className={`status status-${session.status}`}>{session.status}</span>
        {session.assignee && (
          <span className="muted">
            {t("assignedTo")}: {session.assignee.name}
          </span>
        )}
        <span className="spacer" />
        {session.status === "unassigned" && (
          <button type="button" onClick={() => void takeSession(session.id)}>
            {t("take")}
          </button>
        )}
        {session.status !== "closed" && (
          <button
            type="button"
            className="close"
            title={t("close")}
            aria-label={t("close")}
            onClick={() => void closeSession(session.id)}
          >
            ×
          </button>
        )}
      </header>
      <MessageList channelKind={session.channel_kind} />
      {session.status !== "closed" && <Composer sessionId={session.id} />}
    </section>
  );
}

function MessageList({ channelKind }: { channelKind: string }) {
  const t = useT();
  const messages = useStore((s) => s.messages);
  const cursor = useStore((s) => s.messagesCursor);
  const openId = useStore((s) => s.openSession?.id);
  const bottom = useRef<HTMLDivElement>(null);
  const lastId = messages[messages.length - 1]?.id;

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: "end" });
  }, [lastId]);

  return (
    <div className="messages" role="log" aria-live="polite">
      {cursor !== null && (
        <button type="button" className="link" onClick={() => void loadEarlierMessages()}>
          {t("loadEarlier")}
        </button>
      )}
      {messages.map((message, index) => (
        <div key={message.id}>
          {startsEarlierSession(messages, index, openId) && (
            <div className="separator">
              {t("earlierSession")} #{message.session_id}
            </div>
          )}
          <MessageBubble message={message} channelKind={channelKind} />
        </div>
      ))}
      <div ref={bottom} />
    </div>
  );
}

/** A separator goes above the first message of each session other than the open one's run. */
function startsEarlierSession(messages: Message[], index: number, openId?: number): boolean {
  const message = messages[index];
  if (!message || message.session_id === openId) return false;
  return index === 0 || messages[index - 1]?.session_id !== message.session_id;
}

function MessageBubble({ message, channelKind }: { message: Message; channelKind: string }) {
  const t = useT();
  const kind = message.author.kind;
  const classes = ["message", `from-${kind}`, message.internal ? "internal" : ""].join(" ");
  return (
    <div className={classes} data-message-id={message.id}>
      <div className="meta">
        {kind === "customer" && <span className="channel">{channelLabel(channelKind)}</span>}
        <span className="author">{message.author.name}</span>
        {message.internal && <span className="note">{t("internalNote")}</span>}
        <time dateTime={message.created_at}>{shortTime(message.created_at)}</time>
      </div>
      {/* Rendered as text: React escapes it. Never use dangerouslySetInnerHTML here. */}
      <div className="text">{message.text}</div>
    </div>
  );
}
