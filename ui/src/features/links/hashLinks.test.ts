import { describe, expect, it } from "vitest";

import { itemHash, parseHash, sessionHash, sessionLink } from "./hashLinks";

describe("hash links", () => {
  it("read a session or an item from the hash", () => {
    expect(parseHash("#session=12")).toEqual({ kind: "session", sessionId: 12 });
    expect(parseHash("#item=3/45")).toEqual({ kind: "item", appId: 3, itemId: 45 });
    expect(parseHash(sessionHash(7))).toEqual({ kind: "session", sessionId: 7 });
    expect(parseHash(itemHash(1, 2))).toEqual({ kind: "item", appId: 1, itemId: 2 });
  });

  it("ignore anything else", () => {
    const bad = ["", "#", "#session=", "#session=0", "#session=1x", "#item=3", "#item=a/1"];
    for (const hash of bad) {
      expect(parseHash(hash)).toBeNull();
    }
  });

  it("make an absolute link to a session", () => {
    expect(sessionLink("https://desk.example", 12)).toBe("https://desk.example/#session=12");
  });
});
