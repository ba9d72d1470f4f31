// Links into the workspace that survive a reload or a new tab: "#session=12" opens that
// session, "#item=3/45" opens item 45 of app 3 in the Apps view. App.tsx follows them
// after sign-in and whenever the hash changes, then clears the hash.

export type HashTarget =
  | { kind: "session"; sessionId: number }
  | { kind: "item"; appId: number; itemId: number };

const ID = "([1-9][0-9]{0,15})";
const SESSION = new RegExp(`^#session=${ID}$`);
const ITEM = new RegExp(`^#item=${ID}/${ID}$`);

export function parseHash(hash: string): HashTarget | null {
  const session = SESSION.exec(hash);
  if (session) return { kind: "session", sessionId: Number(session[1]) };
  const item = ITEM.exec(hash);
  if (item) return { kind: "item", appId: Number(item[1]), itemId: Number(item[2]) };
  return null;
}

export function sessionHash(sessionId: number): string {
  return `#session=${sessionId}`;
}

export function itemHash(appId: number, itemId: number): string {
  return `#item=${appId}/${itemId}`;
}

/** The address that opens a session in this UI, to paste elsewhere (an item's field). */
export function sessionLink(origin: string, sessionId: number): string {
  return `${origin}/${sessionHash(sessionId)}`;
}
