import { describe, expect, it } from "vitest";

import { groupIntoSessions, newestMessageId } from "./sessionBlocks";

const m = (id: number, session_id: number) => ({ id, session_id });

describe("groupIntoSessions", () => {
  it("puts a lone open session in one block without a separator", () => {
    const blocks = groupIntoSessions([m(1, 7), m(2, 7)], 7);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ sessionId: 7, earlier: false, separator: false });
    expect(blocks[0]!.messages.map((x) => x.id)).toEqual([1, 2]);
  });

  it("separates every earlier session and the open one after them", () => {
    const blocks = groupIntoSessions([m(1, 3), m(2, 3), m(3, 5), m(4, 7), m(5, 7)], 7);
    expect(blocks.map((b) => [b.sessionId, b.earlier, b.separator])).toEqual([
      [3, true, true],
      [5, true, true],
      [7, false, true],
    ]);
    expect(blocks[2]!.messages.map((x) => x.id)).toEqual([4, 5]);
  });

  it("gives nothing for no messages", () => {
    expect(groupIntoSessions([], 1)).toEqual([]);
  });
});

describe("newestMessageId", () => {
  it("takes the largest id, null when empty", () => {
    expect(newestMessageId([m(4, 1), m(9, 1), m(2, 1)])).toBe(9);
    expect(newestMessageId([])).toBeNull();
  });
});
