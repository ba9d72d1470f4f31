import { describe, expect, it } from "vitest";

import { badgeText, pageTitle } from "./favicon";

describe("badgeText", () => {
  it("is empty for zero or less and caps at 99+", () => {
    expect(badgeText(0)).toBe("");
    expect(badgeText(-3)).toBe("");
    expect(badgeText(Number.NaN)).toBe("");
    expect(badgeText(7)).toBe("7");
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
  });
});

describe("pageTitle", () => {
  it("puts the count in front of the name", () => {
    expect(pageTitle(0)).toBe("livedesk");
    expect(pageTitle(3)).toBe("(3) livedesk");
    expect(pageTitle(250)).toBe("(99+) livedesk");
  });
});
