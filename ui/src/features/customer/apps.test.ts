import { describe, expect, it } from "vitest";

import type { Channel } from "../../api/client";
import { boundApps } from "./apps";

const channel = (kind: Channel["kind"]) => ({ kind }) as Channel;

describe("boundApps", () => {
  it("shows nothing when the settings bind no app", () => {
    const detail = { settings: { routing: "manual" }, channels: [channel("telegram")] };
    expect(boundApps(detail)).toEqual({ item: false, customer: false });
    expect(boundApps({ ...detail, settings: { item_app_id: null } })).toEqual({
      item: false,
      customer: false,
    });
    expect(boundApps(null)).toEqual({ item: false, customer: false });
  });

  it("shows Create item for a bound item app", () => {
    expect(boundApps({ settings: { item_app_id: 3 }, channels: [] }).item).toBe(true);
  });

  it("shows Account for a bound customer app once a messenger channel exists", () => {
    const settings = { customer_app_id: 4 };
    expect(boundApps({ settings, channels: [channel("widget")] }).customer).toBe(false);
    expect(boundApps({ settings, channels: [channel("widget"), channel("telegram")] }).customer).toBe(
      true,
    );
    expect(boundApps({ settings, channels: [channel("api")] }).customer).toBe(true);
  });
});
