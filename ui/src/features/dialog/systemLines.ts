// System lines (taken, assigned, closed, item created) carry a machine-readable `system`
// object, {kind, actor_name, from_user_name, to_user_name, ...ids}, or for an item
// {kind: "item_created", actor, app_id, app_name, item_id, title}: the UI words them in the
// user's language from it. The server's `text` (English) stays the fallback for a kind
// this UI does not know, or for a line without the names its wording needs.
import type { Message } from "../../api/client";
import type { MessageKey } from "../../i18n";

type Translate = (key: MessageKey) => string;

/** Fill the "{name}" slots of a label; an unknown slot stays as it is. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (slot, name: string) => values[name] ?? slot);
}

function text(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === "string" && value !== "" ? value : null;
}

export function systemLineText(message: Pick<Message, "text" | "system">, t: Translate): string {
  const data = message.system ?? {};
  const actor = text(data, "actor_name");
  const from = text(data, "from_user_name");
  const to = text(data, "to_user_name");
  if (data.kind === "taken" && to) return fill(t("systemTaken"), { to });
  if (data.kind === "assigned" && actor && to) {
    if (data.from_user_id === null || data.from_user_id === undefined) {
      return fill(t("systemAssigned"), { actor, to });
    }
    if (from) return fill(t("systemReassigned"), { actor, from, to });
  }
  if (data.kind === "closed" && actor) return fill(t("systemClosed"), { actor });
  if (data.kind === "item_created") {
    const who = text(data, "actor") ?? actor;
    const app = text(data, "app_name");
    const title = text(data, "title");
    if (who && app && title) return fill(t("systemItemCreated"), { actor: who, app, title });
  }
  return message.text;
}

/** The item an `item_created` line points to, or null. */
export function itemOfLine(
  message: Pick<Message, "system">,
): { appId: number; itemId: number } | null {
  const data = message.system ?? {};
  const { app_id: appId, item_id: itemId } = data;
  if (data.kind !== "item_created" || typeof appId !== "number" || typeof itemId !== "number") {
    return null;
  }
  return { appId, itemId };
}
