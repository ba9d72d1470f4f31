// Messages between the loader (host page) and the chat frame (the server's origin).
// Both sides check event.origin and event.source before trusting one, and post only to
// the other side's exact origin.

export const TAG = "livedesk-widget";

/** Frame -> loader. "store" is used only where the browser denies the frame its own
 * storage (third-party storage blocked): the loader then keeps the frame's state in the
 * host page's localStorage, and hands it back in "init". */
export type FrameMessage =
  | { tag: typeof TAG; type: "ready" }
  | { tag: typeof TAG; type: "unread"; count: number }
  | { tag: typeof TAG; type: "close" }
  | { tag: typeof TAG; type: "store"; value: string | null };

/** Loader -> frame. */
export type LoaderMessage =
  | { tag: typeof TAG; type: "init"; open: boolean; saved: string | null }
  | { tag: typeof TAG; type: "visibility"; open: boolean };

export const MAX_STORED_CHARS = 4096;

export function isTagged(data: unknown): data is { tag: string; type: string } {
  return (
    typeof data === "object" &&
    data !== null &&
    (data as { tag?: unknown }).tag === TAG &&
    typeof (data as { type?: unknown }).type === "string"
  );
}
