// Fixed-row-height windowing for long session lists: render only the rows in
// view (plus a few either side) between two spacers of the right height.
export interface VirtualRange {
  /** First rendered index (inclusive). */
  start: number;
  /** Last rendered index (exclusive). */
  end: number;
  padTop: number;
  padBottom: number;
}

export function virtualRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 5,
): VirtualRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

/** Whether the viewport is within `threshold` px of the list's end (time to load more). */
export function nearEnd(
  scrollTop: number,
  viewportHeight: number,
  totalHeight: number,
  threshold = 200,
): boolean {
  return scrollTop + viewportHeight >= totalHeight - threshold;
}
