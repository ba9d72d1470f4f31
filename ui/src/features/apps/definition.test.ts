import { describe, expect, it } from "vitest";

import type { App } from "../../api/client";
import { appBody, appErrors, keyFromLabel, moveField, newField, toAppDraft } from "./definition";

describe("the app editor", () => {
  it("makes a key from a Latin label", () => {
    expect(keyFromLabel("Due date")).toBe("due_date");
    expect(keyFromLabel("  2nd Phone! ")).toBe("nd_phone");
    expect(keyFromLabel("Тема")).toBe("");
  });

  it("sends options for select fields only, one per non-empty line", () => {
    const status = { ...newField(), key: "status", label: "Status", type: "select" as const };
    const subject = { ...newField(), key: "subject", label: " Subject ", required: true };
    const body = appBody({
      name: " Requests ",
      webhookUrl: "",
      fields: [
        { ...status, options: "new\n\n in progress \ndone\n" },
        { ...subject, options: "ignored" },
      ],
    });
    expect(body).toEqual({
      name: "Requests",
      webhook_url: null,
      fields: [
        {
          key: "status",
          label: "Status",
          type: "select",
          required: false,
          options: ["new", "in progress", "done"],
        },
        { key: "subject", label: "Subject", type: "string", required: true },
      ],
    });
  });

  it("reads an app back, options one per line", () => {
    const app = {
      name: "Requests",
      webhook_url: "https://hooks.example/x",
      fields: [{ key: "status", label: "Status", type: "select", options: ["a", "b"] }],
    } as unknown as App;
    const draft = toAppDraft(app);
    expect(draft.webhookUrl).toBe("https://hooks.example/x");
    expect(draft.fields[0]).toMatchObject({
      key: "status",
      options: "a\nb",
      required: false,
      autoKey: false,
    });
  });

  it("moves fields up and down within the list", () => {
    const [a, b, c] = [newField(), newField(), newField()];
    expect(moveField([a!, b!, c!], 2, -1)).toEqual([a, c, b]);
    expect(moveField([a!, b!, c!], 0, -1)).toEqual([a, b, c]);
  });
});

describe("appErrors", () => {
  const keys = ["subject", "status", "status"];

  it("puts each problem of a 422 next to its field's input", () => {
    const errors = appErrors(
      "validation_error",
      "fields.0.key: String should match pattern '^[a-z][a-z0-9_]{0,39}$'; " +
        "fields.1: Value error, fields.status.options: a select field needs options; " +
        "fields.0.options.1: String should have at least 1 character; " +
        "name: String should have at least 1 character",
      keys,
    );
    expect(errors.fields).toEqual({
      0: {
        key: "String should match pattern '^[a-z][a-z0-9_]{0,39}$'",
        options: "String should have at least 1 character",
      },
      1: { options: "a select field needs options" },
    });
    expect(errors.top).toEqual({ name: "String should have at least 1 character" });
  });

  it("marks a key used twice on its second use", () => {
    const message = "body: Value error, fields: the key 'status' is used twice";
    const errors = appErrors("validation_error", message, keys);
    expect(errors.fields).toEqual({ 2: { key: "the key 'status' is used twice" } });
  });

  it("places a 409 by its code", () => {
    const taken = "An app named 'Requests' already exists.";
    expect(appErrors("app_name_taken", taken, keys).top).toEqual({ name: taken });
    const keeps = "a field keeps its type (string); remove it and add a field with a new key instead.";
    const retyped = appErrors("field_type_changed", `fields.subject: ${keeps}`, keys);
    expect(retyped.fields).toEqual({ 0: { type: keeps } });
  });

  it("keeps anything else at the top of the form", () => {
    const failed = "Internal Server Error";
    expect(appErrors("http_500", failed, keys).top).toEqual({ _: failed });
    const tooMany = "fields: List should have at most 50 items";
    expect(appErrors("validation_error", tooMany, keys).top).toEqual({ _: tooMany });
  });
});
