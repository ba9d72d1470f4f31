import { describe, expect, it } from "vitest";

import type { AppField } from "../../api/client";
import { cellText, changedPayload, createPayload, jsonValue, toDraft } from "./values";

const fields: AppField[] = [
  { key: "subject", label: "Subject", type: "string", required: true },
  { key: "amount", label: "Amount", type: "number", required: false },
  { key: "urgent", label: "Urgent", type: "boolean", required: false },
  { key: "status", label: "Status", type: "select", required: false, options: ["open", "done"] },
  { key: "due", label: "Due", type: "date", required: false },
  { key: "customer", label: "Customer", type: "contact", required: false },
];

describe("form values", () => {
  it("read stored values into inputs, empty where nothing is stored", () => {
    const stored = { subject: "Kettle", amount: 49.9, urgent: null, customer: 7 };
    expect(toDraft(fields, stored)).toEqual({
      subject: "Kettle",
      amount: "49.9",
      urgent: false,
      status: "",
      due: "",
      customer: 7,
    });
  });

  it("send JSON by type: numbers as numbers, empty as null, a bad number as typed", () => {
    const amount = fields[1]!;
    expect(jsonValue(amount, "12,5")).toBe(12.5);
    expect(jsonValue(amount, " ")).toBeNull();
    expect(jsonValue(amount, "ten")).toBe("ten");
    expect(jsonValue(fields[2]!, false)).toBe(false);
    expect(jsonValue(fields[5]!, null)).toBeNull();
  });

  it("create with every value given, a checkbox included", () => {
    const draft = toDraft(fields, {});
    draft.subject = "Kettle";
    draft.due = "2026-12-01";
    expect(createPayload(fields, draft)).toEqual({
      subject: "Kettle",
      urgent: false,
      due: "2026-12-01",
    });
  });

  it("edit with only what changed, an emptied field as null", () => {
    const stored = { subject: "Kettle", amount: 3, status: "open", urgent: false };
    const initial = toDraft(fields, stored);
    const draft = { ...initial, amount: "3", status: "done", subject: "" };
    expect(changedPayload(fields, initial, draft)).toEqual({ status: "done", subject: null });
    expect(changedPayload(fields, initial, { ...initial })).toEqual({});
  });

  it("show values in table cells on one short line", () => {
    expect(cellText(fields[2]!, true, "Yes")).toBe("Yes");
    expect(cellText(fields[2]!, false, "Yes")).toBe("");
    expect(cellText(fields[5]!, 7, "Yes")).toBe("#7");
    const text: AppField = { key: "details", label: "Details", type: "text", required: false };
    expect(cellText(text, "line one\nline two", "Yes")).toBe("line one line two");
    expect(cellText(text, "x".repeat(200), "Yes")).toHaveLength(80);
  });
});
