import { memo, useEffect, useLayoutEffect, useRef } from "react";

import type { Message } from "../../api/client";
import {
  closeSession,
  loadEarlierMessages,
  showItem,
  takeSession,
  useStore,
  useT,
} from "../../store";
import { itemHash } from "../links/hashLinks";
import { ChannelIcon } from "../sessions/ChannelIcon";
import { shortTime } from "../sessions/format";
import { MessageAttachments, readAttachments } from "./Attachments";
import { Composer } from "./Composer";
import { groupIntoSessions } from "./sessionBlocks";
import { itemOfLine, systemLineText } from "./systemLines";

export function Dialog() {
  const t = useT();
  const session = useStore((s) => s.openSession);
  if (!session) return <section className="dialog empty muted">{t("pickSession")}</section>;

  return (
    <section className="dialog" aria-label={session.name}>
      <header className="dialog-header">
        <h2>{session.name}</h2>
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
      </header>
      <MessageList />
      {session.status !== "closed" && <Composer sessionId={session.id} />}
    </section>
  );
}

function MessageList() {
  const t = useT();
  const messages = useStore((s) => s.messages);
  const cursor = useStore((s) => s.messagesCursor);
  const openId = useStore((s) => s.openSession?.id);
  const channelKind = useStore((s) => s.openSession?.channel_kind);
  const highlightId = useStore((s) => s.highlightId);
  const box = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const lastId = messages[messages.length - 1]?.id;
  const firstId = messages[0]?.id;

  // Earlier pages load as the reader nears the top, and the view stays on what they were
  // reading: the content grows above it by exactly the new page's height.
  const heightBefore = useRef(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (heightBefore.current > 0) el.scrollTop += el.scrollHeight - heightBefore.current;
    heightBefore.current = 0;
  }, [firstId]);
  const onScroll = () => {
    const el = box.current;
    if (!el || cursor === null || el.scrollTop > LOAD_EARLIER_WITHIN_PX) return;
    heightBefore.current = el.scrollHeight;
    void loadEarlierMessages();
  };

  useEffect(() => {
    if (highlightId === null) bottom.current?.scrollIntoView?.({ block: "end" });
  }, [lastId, highlightId]);

  // Scroll to a search hit once, when it is present (older pages may still be loading).
  const scrolledTo = useRef<number | null>(null);
  useEffect(() => {
    if (highlightId === null || scrolledTo.current === highlightId) return;
    const target = box.current?.querySelector(`[data-message-id="${highlightId}"]`);
    if (!target) return;
    target.scrollIntoView?.({ block: "center" });
    scrolledTo.current = highlightId;
  }, [highlightId, messages]);

  return (
    <div
      className="messages"
      role="log"
      aria-live="polite"
      ref={box}
      onScroll={onScroll}
      // The position is kept by hand above; the browser's own anchoring would add to it.
      style={{ overflowAnchor: "none" }}
    >
      {cursor !== null && (
        <button type="button" className="link" onClick={() => void loadEarlierMessages()}>
          {t("loadEarlier")}
        </button>
      )}
      {withStableKeys(groupIntoSessions(messages, openId)).map(([key, block]) => (
        <div
          key={key}
          className={block.earlier ? "session-block earlier" : "session-block"}
          data-session-id={block.sessionId}
        >
          {block.separator && (
            <div className="separator" role="separator">
              {block.earlier ? t("earlierSession") : t("thisSession")} #{block.sessionId}
              {block.messages[0] && ` · ${shortTime(block.messages[0].created_at)}`}
            </div>
          )}
          {block.messages.map((message) => (
            <MessageBubble
              key={message.id}
              message={message}
              channelKind={message.channel_kind ?? channelKind}
              highlighted={message.id === highlightId}
            />
          ))}
        </div>
      ))}
      <div ref={bottom} />
    </div>
  );
}

/**
 * Keys that earlier pages arriving above leave alone (a key that changed would rebuild every
 * message of the block): a session's blocks, usually one, are counted from the newest.
 */
function withStableKeys<B extends { sessionId: number }>(blocks: B[]): [string, B][] {
  const seen = new Map<number, number>();
  const keyed: [string, B][] = [];
  for (let i = blocks.length - 1; i >= 0; i -= 1) {
    const block = blocks[i]!;
    const nth = seen.get(block.sessionId) ?? 0;
    seen.set(block.sessionId, nth + 1);
    keyed.push([`${block.sessionId}-${nth}`, block]);
  }
  return keyed.reverse();
}

/** How close to the top (px) the reader gets before the next earlier page loads. */
const LOAD_EARLIER_WITHIN_PX = 400;

const DELIVERY_KEYS = { pending: "deliveryPending", sent: "deliverySent", failed: "deliveryFailed" } as const;

// Memoized: a page of earlier messages renders its own 50, not the thousands below it.
const MessageBubble = memo(function MessageBubble({
  message,
  channelKind,
  highlighted,
}: {
  message: Message;
  channelKind: string | null | undefined;
  highlighted: boolean;
}) {
  const t = useT();
  const kind = message.author.kind;
  if (kind === "system") {
    const systemKind = String(message.system?.kind ?? "info");
    const item = itemOfLine(message);
    return (
      <div
        className={`system-line system-${systemKind}${highlighted ? " highlight" : ""}`}
        data-message-id={message.id}
        data-system-kind={systemKind}
      >
        <span className="text">{systemLineText(message, t)}</span>
        {item && (
          <a
            className="item-link"
            href={itemHash(item.appId, item.itemId)}
            onClick={(event) => {
              event.preventDefault();
              showItem(item.appId, item.itemId);
            }}
          >
            {t("openItem")}
          </a>
        )}
        <time dateTime={message.created_at}>{shortTime(message.created_at)}</time>
      </div>
    );
  }
  const classes = [
    "message",
    `from-${kind}`,
    message.internal ? "internal" : "",
    highlighted ? "highlight" : "",
  ].join(" ");
  const delivery = message.delivery_state as keyof typeof DELIVERY_KEYS | null | undefined;
  const attachments = readAttachments(message.attachments);
  return (
    <div className={classes} data-message-id={message.id}>
      <div className="meta">
        {kind === "customer" && <ChannelIcon kind={channelKind} />}
        <span className="author">{message.author.name}</span>
        {message.internal && <span className="note">{t("internalNote")}</span>}
        <time dateTime={message.created_at}>{shortTime(message.created_at)}</time>
        {delivery && DELIVERY_KEYS[delivery] && (
          <span className={`delivery delivery-${delivery}`}>{t(DELIVERY_KEYS[delivery])}</span>
        )}
      </div>
      {/* Rendered as text: React escapes it. Never use dangerouslySetInnerHTML here. */}
      {(message.text || attachments.length === 0) && <div className="text">{message.text}</div>}
      {attachments.length > 0 && <MessageAttachments items={attachments} />}
    </div>
  );
});
