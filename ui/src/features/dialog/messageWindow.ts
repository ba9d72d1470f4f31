// Windowing for the dialog, whose rows (text, attachments, system lines, separators) differ
// in height: the heights measured so far are cached by message id, the others estimated,
// and only the rows near the viewport are rendered between two spacers.

/** Measured row heights by message id, with their running mean as the estimate for the rest. */
export class HeightCache {
  private readonly heights = new Map<number, number>();
  private sum = 0;

  constructor(private readonly fallback: number) {}

  get(id: number): number | undefined {
    return this.heights.get(id);
  }

  /** Store a measurement; whether it changed anything. */
  set(id: number, height: number): boolean {
    const old = this.heights.get(id);
    if (old !== undefined && Math.abs(old - height) < 0.5) return false;
    this.sum += height - (old ?? 0);
    this.heights.set(id, height);
    return true;
  }

  /** The height to assume for a row not measured yet. */
  estimate(): number {
    return this.heights.size === 0 ? this.fallback : this.sum / this.heights.size;
  }

  clear(): void {
    this.heights.clear();
    this.sum = 0;
  }
}

/** Where each row starts: `offsets[i]` is the top of row i, `offsets[n]` the total height. */
export function rowOffsets(ids: readonly number[], cache: HeightCache): Float64Array {
  const offsets = new Float64Array(ids.length + 1);
  const guess = cache.estimate();
  for (let i = 0; i < ids.length; i += 1) {
    offsets[i + 1] = offsets[i]! + (cache.get(ids[i]!) ?? guess);
  }
  return offsets;
}

/** The row that covers `y` (clamped to the list). -1 for an empty list. */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface MessageWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  padTop: number;
  padBottom: number;
}

/** The rows to render for a viewport at `top` (list coordinates), `overscan` px either side. */
export function messageWindow(
  offsets: Float64Array,
  top: number,
  viewportHeight: number,
  overscan: number,
): MessageWindow {
  const count = offsets.length - 1;
  const total = offsets[count] ?? 0;
  if (count <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const start = rowAt(offsets, Math.max(0, top - overscan));
  const end = Math.min(count, rowAt(offsets, top + viewportHeight + overscan) + 1);
  return { start, end, padTop: offsets[start]!, padBottom: total - offsets[end]! };
}
