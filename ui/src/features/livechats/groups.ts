import type { Group, Role } from "../../api/client";
import type { MessageKey } from "../../i18n";

// The groups of one live chat in the left menu, by the user's roles there
// (PRODUCT.md, "Groups in the left menu"):
//   operator:   My chats, Unassigned, Closed
//   supervisor: Unassigned, Active, Closed
//   both:       My chats, Unassigned, Active, Closed
const ORDER: readonly Group[] = ["mine", "unassigned", "active", "closed"];

export const GROUP_LABELS: Record<Group, MessageKey> = {
  mine: "groupMine",
  unassigned: "groupUnassigned",
  active: "groupActive",
  closed: "groupClosed",
};

export function groupsForRoles(roles: readonly Role[]): Group[] {
  const operator = roles.includes("operator");
  const supervisor = roles.includes("supervisor");
  if (!operator && !supervisor) return [];
  return ORDER.filter((group) => {
    if (group === "mine") return operator;
    if (group === "active") return supervisor;
    return true;
  });
}

/** The group a user lands in when opening a live chat. */
export function defaultGroup(roles: readonly Role[]): Group | null {
  return groupsForRoles(roles)[0] ?? null;
}

/** Closed groups are counted up to 1000 (GET /api/counters, `groups`). */
const COUNT_CAP = 1000;

/** A group's size as the menu shows it: "999+" from the server's cap on. */
export function groupCountText(count: number): string {
  return count >= COUNT_CAP ? `${COUNT_CAP - 1}+` : String(count);
}
