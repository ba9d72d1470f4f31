import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

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
import { HeightCache, messageWindow, rowAt, rowOffsets } from "./messageWindow";
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
      <MessageList key={session.id} />
      {session.status !== "closed" && <Composer sessionId={session.id} />}
    </section>
  );
}

interface Row {
  message: Message;
  sessionId: number;
  /** Of a session other than the open one. */
  earlier: boolean;
  /** A separator goes above this row: it starts a block of its session. */
  separator: boolean;
}

/** One row per message, oldest first; a block's first row carries the block's separator. */
function toRows(messages: readonly Message[], openId: number | undefined): Row[] {
  const rows: Row[] = [];
  for (const block of groupIntoSessions(messages, openId)) {
    block.messages.forEach((message, i) => {
      const { sessionId, earlier } = block;
      rows.push({ message, sessionId, earlier, separator: i === 0 && block.separator });
    });
  }
  return rows;
}

/** The height assumed for a row before it is first measured (px). */
const ESTIMATED_ROW_PX = 64;
/** How far beyond the viewport (px) rows are rendered, above and below. */
const OVERSCAN_PX = 600;
/** Within this distance of the bottom (px) the list counts as pinned to the newest message. */
const PINNED_WITHIN_PX = 8;

/** Row heights by message id; they outlive a dialog, since the next one often shows them too. */
const heights = new HeightCache(ESTIMATED_ROW_PX);

/**
 * The dialog's history, windowed: only the rows near the viewport are in the page. Where the
 * reader is, is kept as an anchor (a message and how far below the viewport's top it is), and
 * every change below it (earlier pages arriving above, heights measured, images loading) puts
 * that message back where it was; at the bottom, the list stays pinned to the newest message.
 */
function MessageList() {
  const t = useT();
  const messages = useStore((s) => s.messages);
  const cursor = useStore((s) => s.messagesCursor);
  const openId = useStore((s) => s.openSession?.id);
  const channelKind = useStore((s) => s.openSession?.channel_kind);
  const highlightId = useStore((s) => s.highlightId);
  const meId = useStore((s) => s.me?.id);
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const rowElements = useRef(new Map<number, HTMLElement>());
  const pinned = useRef(true);
  const anchor = useRef<{ id: number; offset: number } | null>(null);
  const viewport = useRef({ height: 600, width: 0, listTop: 0 });
  const [, setTick] = useState(0);
  const rerender = useCallback(() => setTick((n) => n + 1), []);

  const rows = useMemo(() => toRows(messages, openId), [messages, openId]);
  const ids = useMemo(() => rows.map((row) => row.message.id), [rows]);
  const indexOf = useMemo(() => new Map(ids.map((id, i) => [id, i])), [ids]);
  const offsets = rowOffsets(ids, heights);
  const current = useRef({ ids, offsets });
  current.current = { ids, offsets };

  // Where the viewport's top will be (in the list's coordinates) once the anchor is restored.
  const anchorIndex = anchor.current ? indexOf.get(anchor.current.id) : undefined;
  const top = pinned.current
    ? offsets[ids.length]! - viewport.current.height
    : anchor.current && anchorIndex !== undefined
      ? offsets[anchorIndex]! - anchor.current.offset
      : (box.current?.scrollTop ?? 0) - viewport.current.listTop;
  const range = messageWindow(offsets, top, viewport.current.height, OVERSCAN_PX);

  /** Scroll so that the anchor is where it was (or to the bottom when pinned). */
  const restore = useCallback(() => {
    const el = box.current;
    if (!el) return;
    if (pinned.current) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    const a = anchor.current;
    const node = a && rowElements.current.get(a.id);
    if (!a || !node) return;
    const delta = node.getBoundingClientRect().top - el.getBoundingClientRect().top - a.offset;
    if (Math.abs(delta) >= 1) el.scrollTop += delta;
  }, []);

  const observer = useMemo(() => {
    if (typeof ResizeObserver === "undefined") return null;
    return new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const el = entry.target as HTMLElement;
        const height = entry.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
        if (heights.set(Number(el.dataset.rowId), height)) changed = true;
      }
      if (!changed) return;
      restore(); // before the next paint: nothing visible moves
      rerender();
    });
  }, [restore, rerender]);
  useEffect(() => () => observer?.disconnect(), [observer]);

  const observe = useCallback(
    (el: HTMLElement) => {
      const id = Number(el.dataset.rowId);
      rowElements.current.set(id, el);
      observer?.observe(el);
      return () => {
        observer?.unobserve(el);
        if (rowElements.current.get(id) === el) rowElements.current.delete(id);
      };
    },
    [observer],
  );

  // The box's own size: another width re-wraps every row, another height shows more of them.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const resized = new ResizeObserver(() => {
      const size = viewport.current;
      if (size.width !== 0 && size.width !== el.clientWidth) heights.clear();
      size.width = el.clientWidth;
      size.height = el.clientHeight || size.height;
      restore();
      rerender();
    });
    resized.observe(el);
    return () => resized.disconnect();
  }, [restore, rerender]);

  // A search hit: put it mid-view once it is loaded (older pages may still be on the way).
  const scrolledTo = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (highlightId === null) scrolledTo.current = null;
    if (highlightId === null || scrolledTo.current === highlightId) return;
    if (!indexOf.has(highlightId)) return;
    scrolledTo.current = highlightId;
    pinned.current = false;
    const height = heights.get(highlightId) ?? heights.estimate();
    anchor.current = {
      id: highlightId,
      offset: Math.max(0, (viewport.current.height - height) / 2),
    };
    rerender();
  }, [highlightId, indexOf, rerender]);

  // My own new message brings me to the bottom, wherever I was reading.
  const lastId = ids[ids.length - 1];
  const last = rows[rows.length - 1]?.message;
  const mine = last?.author.kind === "operator" && last.author.id === meId;
  const seenLastId = useRef(lastId);
  useLayoutEffect(() => {
    if (lastId === seenLastId.current) return;
    seenLastId.current = lastId;
    if (mine && !pinned.current) {
      pinned.current = true;
      rerender();
    }
  }, [lastId, mine, rerender]);

  useLayoutEffect(() => {
    const el = box.current;
    const inner = list.current;
    if (!el || !inner) return;
    viewport.current.height = el.clientHeight || viewport.current.height;
    viewport.current.listTop =
      inner.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
    restore();
  });

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight <= PINNED_WITHIN_PX;
    const { ids: shown, offsets: at } = current.current;
    const y = el.scrollTop - viewport.current.listTop;
    const i = rowAt(at, y);
    if (i >= 0) {
      const id = shown[i]!;
      const node = rowElements.current.get(id);
      const offset = node
        ? node.getBoundingClientRect().top - el.getBoundingClientRect().top
        : at[i]! - y;
      anchor.current = { id, offset };
    }
    rerender();
    // Earlier pages load as the reader nears the top; the anchor keeps the view where it is.
    if (cursor !== null && el.scrollTop <= LOAD_EARLIER_WITHIN_PX) void loadEarlierMessages();
  };

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
      <div
        className="message-rows"
        ref={list}
        style={{ paddingTop: range.padTop, paddingBottom: range.padBottom }}
      >
        {rows.slice(range.start, range.end).map((row) => (
          <MessageRow
            key={row.message.id}
            row={row}
            channelKind={row.message.channel_kind ?? channelKind}
            highlighted={row.message.id === highlightId}
            observe={observe}
          />
        ))}
      </div>
    </div>
  );
}

const MessageRow = memo(function MessageRow({
  row,
  channelKind,
  highlighted,
  observe,
}: {
  row: Row;
  channelKind: string | null | undefined;
  highlighted: boolean;
  observe: (el: HTMLElement) => () => void;
}) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => (ref.current ? observe(ref.current) : undefined), [observe]);
  const { message } = row;
  return (
    <div
      ref={ref}
      className={row.earlier ? "message-row earlier" : "message-row"}
      data-row-id={message.id}
      data-session-id={row.sessionId}
    >
      {row.separator && (
        <div className="separator" role="separator">
          {row.earlier ? t("earlierSession") : t("thisSession")} #{row.sessionId}
          {` · ${shortTime(message.created_at)}`}
        </div>
      )}
      <MessageBubble message={message} channelKind={channelKind} highlighted={highlighted} />
    </div>
  );
});

/** How close to the top (px) the reader gets before the next earlier page loads. */
const LOAD_EARLIER_WITHIN_PX = 400;

const DELIVERY_KEYS = { pending: "deliveryPending", sent: "deliverySent", failed: "deliveryFailed" } as const;

// Memoized: a row re-renders when its message or highlight changes, not on every scroll.
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
