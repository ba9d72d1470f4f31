import { describe, expect, it } from "vitest";

import { fieldErrors } from "./fieldErrors";

describe("fieldErrors", () => {
  it("splits a validation message by field", () => {
    expect(
      fieldErrors("email: value is not a valid email; password: String should have at least 4 characters"),
    ).toEqual({
      email: "value is not a valid email",
      password: "String should have at least 4 characters",
    });
  });

  it("keys nested locations by their last part, other text under _", () => {
    expect(fieldErrors("settings.routing: Input should be 'manual'")).toEqual({
      routing: "Input should be 'manual'",
    });
    expect(fieldErrors("Something went wrong")).toEqual({ _: "Something went wrong" });
    expect(fieldErrors("config.bot_token: Value error, must be a Telegram bot token")).toEqual({
      bot_token: "must be a Telegram bot token",
    });
  });
});
