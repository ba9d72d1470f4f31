import { describe, expect, it } from "vitest";

import { itemsQuery, nextSort } from "./itemsQuery";

describe("itemsQuery", () => {
  it("is empty with nothing asked", () => {
    expect(itemsQuery({})).toBe("");
    expect(itemsQuery({ q: "  ", offset: 0, filters: { status: "" } })).toBe("");
  });

  it("puts the search, sort, page and filters in the query string", () => {
    expect(
      itemsQuery({
        q: " чайник ",
        sort: "-due",
        limit: 25,
        offset: 50,
        filters: { status: "in progress", urgent: true, amount: null },
      }),
    ).toBe(
      `?q=${encodeURIComponent("чайник")}&sort=-due&limit=25&offset=50` +
        "&status=in+progress&urgent=true",
    );
  });

  it("never lets a filter stand in for the list's own parameters", () => {
    expect(itemsQuery({ filters: { sort: "x", limit: "1", tag: "a&b" } })).toBe("?tag=a%26b");
  });
});

describe("nextSort", () => {
  it("sorts by a new column ascending, and flips on the same column", () => {
    expect(nextSort("-created_at", "subject")).toBe("subject");
    expect(nextSort("subject", "subject")).toBe("-subject");
    expect(nextSort("-subject", "subject")).toBe("subject");
  });
});
