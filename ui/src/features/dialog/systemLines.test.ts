import { describe, expect, it } from "vitest";

import { type MessageKey, translate } from "../../i18n";
import { fill, itemOfLine, systemLineText } from "./systemLines";

const en = (key: MessageKey) => translate("en", key);
const ru = (key: MessageKey) => translate("ru", key);
const line = (system: Record<string, unknown> | null, text = "server text") => ({ text, system });

describe("systemLineText", () => {
  it("words each kind in the user's language from its data", () => {
    const taken = line({ kind: "taken", to_user_id: 2, to_user_name: "Olga", from_user_id: null });
    expect(systemLineText(taken, en)).toBe("Olga took the chat");
    expect(systemLineText(taken, ru)).toBe("Olga взял(а) чат в работу");

    const assigned = line({
      kind: "assigned",
      actor_name: "Sveta",
      from_user_id: null,
      from_user_name: null,
      to_user_name: "Oleg",
    });
    expect(systemLineText(assigned, en)).toBe("Sveta assigned the chat to Oleg");
    expect(systemLineText(assigned, ru)).toBe("Sveta назначил(а) чат оператору Oleg");

    const reassigned = line({
      kind: "assigned",
      actor_name: "Sveta",
      from_user_id: 2,
      from_user_name: "Olga",
      to_user_name: "Oleg",
    });
    expect(systemLineText(reassigned, en)).toBe("Sveta reassigned the chat from Olga to Oleg");
    expect(systemLineText(reassigned, ru)).toBe("Sveta переназначил(а) чат: Olga → Oleg");

    const closed = line({ kind: "closed", actor_id: 3, actor_name: "Ivan" });
    expect(systemLineText(closed, ru)).toBe("Ivan закрыл(а) чат");
  });

  it("falls back to the server's text for unknown kinds and lines without names", () => {
    expect(systemLineText(line({ kind: "item_created", item_id: 4 }), ru)).toBe("server text");
    expect(systemLineText(line({ kind: "closed", actor_id: 3 }), ru)).toBe("server text");
    expect(systemLineText(line(null), ru)).toBe("server text");
    const noFrom = line({ kind: "assigned", actor_name: "A", from_user_id: 2, to_user_name: "B" });
    expect(systemLineText(noFrom, en)).toBe("server text");
  });

  it("never reads markup out of names: they stay plain text", () => {
    const taken = line({ kind: "taken", to_user_name: "<b>{actor}</b>" });
    expect(systemLineText(taken, en)).toBe("<b>{actor}</b> took the chat");
  });
});

describe("item_created lines", () => {
  const created = line({
    kind: "item_created",
    actor: "Olga",
    app_id: 3,
    app_name: "Requests",
    item_id: 12,
    title: "Kettle leaks",
  });

  it("say who created which item, in the user's language", () => {
    expect(systemLineText(created, en)).toBe("Olga created Requests: Kettle leaks");
    expect(systemLineText(created, ru)).toBe("Olga создал(а) запись «Requests»: Kettle leaks");
  });

  it("point to the item", () => {
    expect(itemOfLine(created)).toEqual({ appId: 3, itemId: 12 });
    expect(itemOfLine(line({ kind: "closed", actor_name: "A" }))).toBeNull();
    expect(itemOfLine(line({ kind: "item_created", app_id: "3", item_id: 12 }))).toBeNull();
    expect(itemOfLine(line(null))).toBeNull();
  });
});

describe("fill", () => {
  it("fills known slots and leaves unknown ones", () => {
    expect(fill("{a} and {b}", { a: "x" })).toBe("x and {b}");
  });
});
