// The query string of GET /api/apps/{id}/items (docs/apps.md, "Items"): paging, a text
// search, a sort, and filters by field value, each filter's name being the field's key.

export interface ItemQuery {
  q?: string;
  /** A field key, `created_at`, `updated_at` or `id`; `-` in front for descending. */
  sort?: string;
  limit?: number;
  offset?: number;
  /** Field key to the exact value wanted; an empty value is no filter. */
  filters?: Record<string, string | boolean | number | null | undefined>;
}

/** The names the list takes for itself: a field with one of these keys cannot be filtered. */
const RESERVED = new Set(["q", "sort", "limit", "offset"]);

export function itemsQuery({ q, sort, limit, offset, filters = {} }: ItemQuery): string {
  const params = new URLSearchParams();
  if (q?.trim()) params.set("q", q.trim());
  if (sort) params.set("sort", sort);
  if (limit !== undefined) params.set("limit", String(limit));
  if (offset) params.set("offset", String(offset));
  for (const [key, value] of Object.entries(filters)) {
    if (RESERVED.has(key) || value === null || value === undefined || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The sort after a click on a column: ascending first, then descending, then ascending. */
export function nextSort(current: string, key: string): string {
  return current === key ? `-${key}` : key;
}
