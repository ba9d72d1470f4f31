// An app's definition as the admin edits it (name, webhook, the field list), the body
// that goes to POST/PATCH /api/apps, and the server's refusals placed next to the input
// they are about (src/livedesk/schemas/apps.py, actions/apps.py).
import type { App, AppInput, FieldType } from "../../api/client";

export const FIELD_TYPES: readonly FieldType[] = [
  "string",
  "text",
  "number",
  "date",
  "boolean",
  "select",
  "email",
  "phone",
  "contact",
];

export interface FieldDraft {
  /** A stable React key for the row (the field key itself is being edited). */
  uid: number;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** Select options, one per line. */
  options: string;
  /** Whether the key still follows the label (a new field whose key was not typed). */
  autoKey: boolean;
}

export interface AppDraft {
  name: string;
  webhookUrl: string;
  fields: FieldDraft[];
}

let uids = 0;

export function newField(): FieldDraft {
  uids += 1;
  return {
    uid: uids,
    key: "",
    label: "",
    type: "string",
    required: false,
    options: "",
    autoKey: true,
  };
}

export function toAppDraft(app: App | null): AppDraft {
  if (!app) return { name: "", webhookUrl: "", fields: [] };
  return {
    name: app.name,
    webhookUrl: app.webhook_url ?? "",
    fields: app.fields.map((f) => ({
      ...newField(),
      key: f.key,
      label: f.label,
      type: f.type,
      required: Boolean(f.required),
      options: (f.options ?? []).join("\n"),
      autoKey: false,
    })),
  };
}

/** A field key from a label ("Due date" -> "due_date"); empty when the label has no Latin
 * letters to make one of (the admin types the key then). */
export function keyFromLabel(label: string): string {
  const key = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .replace(/_+$/, "");
  return key.slice(0, 40).replace(/_+$/, "");
}

export function optionLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

export function appBody(draft: AppDraft): AppInput {
  return {
    name: draft.name.trim(),
    webhook_url: draft.webhookUrl.trim() || null,
    fields: draft.fields.map((f) => ({
      key: f.key.trim(),
      label: f.label.trim(),
      type: f.type,
      required: f.required,
      ...(f.type === "select" ? { options: optionLines(f.options) } : {}),
    })),
  };
}

export function moveField(fields: FieldDraft[], index: number, by: -1 | 1): FieldDraft[] {
  const to = index + by;
  if (to < 0 || to >= fields.length) return fields;
  const next = [...fields];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

/** Errors of a refused save: `top` by form input (name, webhook_url; `_` for the rest),
 * `fields` by row index, then by the row's input (key, label, type, options; `_`). */
export interface AppErrors {
  top: Record<string, string>;
  fields: Record<number, Record<string, string>>;
}

const ROW_PROPS = new Set(["key", "label", "type", "required", "options"]);

function add(into: Record<string, string>, prop: string, text: string): void {
  into[prop] = into[prop] ? `${into[prop]}; ${text}` : text;
}

/** Where a path like "fields.0.options.1" or "fields.status.options" points. */
function locate(
  path: string[],
  keys: readonly string[],
): { index: number | null; prop: string | null } {
  if (path[0] !== "fields" || path.length < 2) return { index: null, prop: null };
  const ref = path[1]!;
  const index = /^\d+$/.test(ref) ? Number(ref) : keys.lastIndexOf(ref);
  const prop = path[2] && ROW_PROPS.has(path[2]) ? path[2] : null;
  return { index: index >= 0 ? index : null, prop };
}

/**
 * Place the server's messages. A 422 lists "path: message" parts ("fields.0.key: String
 * should match pattern ..."); a check on a whole field nests its own path in the message
 * ("fields.0: Value error, fields.s.options: a select field needs options"). A 409 is
 * `app_name_taken` (the name) or `field_type_changed` ("fields.amount: a field keeps its type").
 */
export function appErrors(code: string, message: string, keys: readonly string[]): AppErrors {
  const out: AppErrors = { top: {}, fields: {} };
  if (code === "app_name_taken") {
    add(out.top, "name", message);
    return out;
  }
  // Only a 422 joins several problems with "; " (one 409 message has it in its sentence).
  if (code === "validation_error") {
    for (const part of message.split("; ")) placePart(out, code, part, keys);
  } else if (code === "field_type_changed") {
    placePart(out, code, message, keys);
  } else {
    add(out.top, "_", message);
  }
  return out;
}

function placePart(out: AppErrors, code: string, part: string, keys: readonly string[]): void {
  const split = (text: string): [string[], string] | null => {
    const colon = text.indexOf(": ");
    return colon > 0 && !text.slice(0, colon).includes(" ")
      ? [text.slice(0, colon).split("."), text.slice(colon + 2)]
      : null;
  };
  const outer = split(part);
  if (!outer) return add(out.top, "_", part);
  let [path, text] = outer;
  text = text.replace(/^Value error, /, "");
  const inner = split(text);
  let { index, prop } = locate(path, keys);
  if (inner) {
    const nested = locate(inner[0], keys);
    index ??= nested.index;
    prop ??= nested.prop;
    text = inner[1];
  }
  const twice = /the key '([^']+)' is used twice/.exec(text);
  if (twice) {
    index = keys.lastIndexOf(twice[1]!);
    prop = "key";
  }
  if (code === "field_type_changed") prop ??= "type";
  if (index !== null && index >= 0) {
    out.fields[index] ??= {};
    add(out.fields[index]!, prop ?? "_", text);
  } else if (path.length === 1 && (path[0] === "name" || path[0] === "webhook_url")) {
    add(out.top, path[0], text);
  } else {
    add(out.top, "_", path[0] === "body" ? text : `${path.join(".")}: ${text}`);
  }
}
