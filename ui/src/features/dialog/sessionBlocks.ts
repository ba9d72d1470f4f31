// The dialog shows this contact's whole history in the live chat: earlier
// sessions first, the open one last. Each run of messages of one session is a
// block; the dialog draws a separator above every block of an earlier session
// (and above the open session's block when earlier ones precede it).
export interface HasSession {
  id: number;
  session_id: number;
}

export interface SessionBlock<M extends HasSession> {
  sessionId: number;
  /** True for a session other than the open one. */
  earlier: boolean;
  /** Whether a separator goes above this block. */
  separator: boolean;
  messages: M[];
}

export function groupIntoSessions<M extends HasSession>(
  messages: readonly M[],
  openSessionId: number | null | undefined,
): SessionBlock<M>[] {
  const blocks: SessionBlock<M>[] = [];
  for (const message of messages) {
    const last = blocks[blocks.length - 1];
    if (last && last.sessionId === message.session_id) {
      last.messages.push(message);
      continue;
    }
    const earlier = message.session_id !== openSessionId;
    blocks.push({
      sessionId: message.session_id,
      earlier,
      separator: earlier || blocks.length > 0,
      messages: [message],
    });
  }
  return blocks;
}

/** The newest message id (messages are kept oldest first), or null. */
export function newestMessageId(messages: readonly HasSession[]): number | null {
  let newest: number | null = null;
  for (const m of messages) if (newest === null || m.id > newest) newest = m.id;
  return newest;
}
