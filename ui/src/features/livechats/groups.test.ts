import { describe, expect, it } from "vitest";

import { defaultGroup, groupCountText, groupsForRoles } from "./groups";

describe("groupsForRoles", () => {
  it("gives an operator their chats, the queue and their closed chats", () => {
    expect(groupsForRoles(["operator"])).toEqual(["mine", "unassigned", "closed"]);
  });

  it("gives a supervisor the queue, everyone's active chats and all closed", () => {
    expect(groupsForRoles(["supervisor"])).toEqual(["unassigned", "active", "closed"]);
  });

  it("gives both roles all four groups in menu order, whatever the role order", () => {
    const both = ["mine", "unassigned", "active", "closed"];
    expect(groupsForRoles(["operator", "supervisor"])).toEqual(both);
    expect(groupsForRoles(["supervisor", "operator"])).toEqual(both);
  });

  it("gives no groups without a role", () => {
    expect(groupsForRoles([])).toEqual([]);
    expect(defaultGroup([])).toBeNull();
  });

  it("opens an operator on My chats and a supervisor on Unassigned", () => {
    expect(defaultGroup(["operator"])).toBe("mine");
    expect(defaultGroup(["supervisor"])).toBe("unassigned");
  });
});

describe("groupCountText", () => {
  it("shows sizes as they are below the server's cap of 1000, and 999+ from there", () => {
    expect(groupCountText(0)).toBe("0");
    expect(groupCountText(999)).toBe("999");
    expect(groupCountText(1000)).toBe("999+");
  });
});
