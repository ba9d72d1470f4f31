// An item's values as a form edits them, and back. Inputs hold text (a number too, while
// it is being typed), a checkbox holds a boolean, a contact field its contact id. What
// goes to the server is JSON by type (docs/apps.md, "Fields"); it does the checking, and
// its messages ("fields.amount: must be a number") show next to the field.
import type { AppField, FieldValues } from "../../api/client";

export type DraftValue = string | boolean | number | null;
export type Draft = Record<string, DraftValue>;

/** The form's starting state for these values (null and missing read as empty). */
export function toDraft(fields: readonly AppField[], values: FieldValues): Draft {
  const draft: Draft = {};
  for (const field of fields) draft[field.key] = draftValue(field, values[field.key]);
  return draft;
}

function draftValue(field: AppField, value: unknown): DraftValue {
  if (field.type === "boolean") return value === true;
  if (field.type === "contact") return typeof value === "number" ? value : null;
  if (value === null || value === undefined) return "";
  return String(value);
}

/** The JSON value of one field; null when empty. A number that does not parse goes as
 * typed, so that the server's message names the field. */
export function jsonValue(field: AppField, value: DraftValue): unknown {
  if (field.type === "boolean") return value === true;
  if (field.type === "contact") return typeof value === "number" ? value : null;
  const text = typeof value === "string" ? value : value === null ? "" : String(value);
  if (!text.trim()) return null;
  if (field.type === "number") {
    const number = Number(text.trim().replace(",", "."));
    return Number.isFinite(number) ? number : text;
  }
  return text;
}

/** A new item's values: every field with a value (a checkbox always has one). */
export function createPayload(fields: readonly AppField[], draft: Draft): FieldValues {
  const out: FieldValues = {};
  for (const field of fields) {
    const value = jsonValue(field, draft[field.key] ?? null);
    if (value !== null) out[field.key] = value;
  }
  return out;
}

/** An edit's values: only the fields that changed since the form opened (PATCH). */
export function changedPayload(
  fields: readonly AppField[],
  initial: Draft,
  draft: Draft,
): FieldValues {
  const out: FieldValues = {};
  for (const field of fields) {
    const before = jsonValue(field, initial[field.key] ?? null);
    const after = jsonValue(field, draft[field.key] ?? null);
    if (before !== after) out[field.key] = after;
  }
  return out;
}

/** A value as a table cell shows it: short, one line. */
export function cellText(field: AppField, value: unknown, yes: string): string {
  if (value === null || value === undefined || value === "") return "";
  if (field.type === "boolean") return value === true ? yes : "";
  if (field.type === "contact") return `#${String(value)}`;
  const text = String(value).replace(/\s+/g, " ").trim();
  return text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS - 1)}…` : text;
}

const CELL_CHARS = 80;
