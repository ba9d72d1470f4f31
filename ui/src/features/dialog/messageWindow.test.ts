import { describe, expect, it } from "vitest";

import { HeightCache, messageWindow, rowAt, rowOffsets } from "./messageWindow";

const ids = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

describe("HeightCache", () => {
  it("estimates with the fallback until something is measured, then with the mean", () => {
    const cache = new HeightCache(64);
    expect(cache.estimate()).toBe(64);
    cache.set(1, 40);
    cache.set(2, 120);
    expect(cache.estimate()).toBe(80);
  });

  it("replaces a row's height and tells whether it changed", () => {
    const cache = new HeightCache(64);
    expect(cache.set(1, 40)).toBe(true);
    expect(cache.set(1, 40.2)).toBe(false);
    expect(cache.set(1, 100)).toBe(true);
    expect(cache.get(1)).toBe(100);
    expect(cache.estimate()).toBe(100);
    cache.clear();
    expect(cache.get(1)).toBeUndefined();
    expect(cache.estimate()).toBe(64);
  });
});

describe("rowOffsets", () => {
  it("adds measured heights and estimates the rest", () => {
    const cache = new HeightCache(50);
    cache.set(2, 30);
    cache.set(4, 130);
    // Rows 1 and 3 are unmeasured: the mean of the measured ones, 80.
    expect([...rowOffsets([1, 2, 3, 4], cache)]).toEqual([0, 80, 110, 190, 320]);
  });

  it("is a lone zero for no rows", () => {
    expect([...rowOffsets([], new HeightCache(50))]).toEqual([0]);
  });
});

describe("rowAt", () => {
  const offsets = Float64Array.from([0, 80, 110, 190, 320]);

  it("finds the row covering a position, edges included", () => {
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 79.9)).toBe(0);
    expect(rowAt(offsets, 80)).toBe(1);
    expect(rowAt(offsets, 200)).toBe(3);
  });

  it("clamps before the first row and past the last", () => {
    expect(rowAt(offsets, -50)).toBe(0);
    expect(rowAt(offsets, 1e6)).toBe(3);
    expect(rowAt(Float64Array.from([0]), 10)).toBe(-1);
  });
});

describe("messageWindow", () => {
  it("renders nothing for an empty dialog", () => {
    expect(messageWindow(Float64Array.from([0]), 0, 500, 100)).toEqual({
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
  });

  it("renders a short dialog whole", () => {
    const offsets = rowOffsets(ids(4), new HeightCache(50));
    expect(messageWindow(offsets, 0, 500, 100)).toEqual({
      start: 0,
      end: 4,
      padTop: 0,
      padBottom: 0,
    });
  });

  it("windows 10,000 rows of mixed heights around the viewport, spacers adding up", () => {
    const cache = new HeightCache(60);
    // Every tenth row a tall one (an image), every seventh a short system line.
    for (const id of ids(10_000)) cache.set(id, id % 10 === 0 ? 240 : id % 7 === 0 ? 24 : 60);
    const offsets = rowOffsets(ids(10_000), cache);
    const top = offsets[5_000]!;
    const range = messageWindow(offsets, top, 600, 300);
    expect(offsets[range.start]!).toBeLessThanOrEqual(top - 300);
    expect(offsets[range.start + 1]!).toBeGreaterThan(top - 300);
    expect(offsets[range.end - 1]!).toBeLessThan(top + 900);
    expect(offsets[range.end]!).toBeGreaterThanOrEqual(top + 900);
    expect(range.end - range.start).toBeLessThan(40);
    const rendered = offsets[range.end]! - offsets[range.start]!;
    expect(range.padTop + rendered + range.padBottom).toBe(offsets[10_000]);
  });

  it("renders the last rows at the bottom and the first at the top", () => {
    const offsets = rowOffsets(ids(1_000), new HeightCache(50));
    const bottom = messageWindow(offsets, 50_000 - 500, 500, 100);
    expect(bottom.end).toBe(1_000);
    expect(bottom.padBottom).toBe(0);
    const first = messageWindow(offsets, -20, 500, 100);
    expect(first.start).toBe(0);
    expect(first.padTop).toBe(0);
  });
});
