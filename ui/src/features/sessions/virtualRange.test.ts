import { describe, expect, it } from "vitest";

import { nearEnd, virtualRange } from "./virtualRange";

describe("virtualRange", () => {
  it("renders nothing for an empty list", () => {
    expect(virtualRange(0, 500, 50, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it("renders a short list whole", () => {
    expect(virtualRange(0, 500, 50, 4)).toEqual({ start: 0, end: 4, padTop: 0, padBottom: 0 });
  });

  it("windows a long list around the viewport with overscan", () => {
    // 10 000 rows of 50 px, scrolled to row 200, 500 px tall: rows 200..210 visible.
    const r = virtualRange(200 * 50, 500, 50, 10_000, 5);
    expect(r.start).toBe(195);
    expect(r.end).toBe(216);
    expect(r.padTop).toBe(195 * 50);
    expect(r.padBottom).toBe((10_000 - 216) * 50);
    expect(r.padTop + (r.end - r.start) * 50 + r.padBottom).toBe(10_000 * 50);
  });

  it("clamps past the end and before the start", () => {
    const r = virtualRange(1e9, 500, 50, 100, 2);
    expect(r.end).toBe(100);
    expect(r.start).toBe(97);
    expect(virtualRange(-100, 500, 50, 100, 2).start).toBe(0);
  });
});

describe("nearEnd", () => {
  it("is true within the threshold of the bottom", () => {
    expect(nearEnd(0, 500, 2000)).toBe(false);
    expect(nearEnd(1350, 500, 2000)).toBe(true);
  });
});
