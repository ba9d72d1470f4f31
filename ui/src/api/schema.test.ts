import { readFileSync } from "node:fs";

import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";

// schema.d.ts is generated (npm run gen:api); this fails when it is out of step
// with the committed openapi.json, i.e. someone refreshed one and not the other.
describe("generated API types", () => {
  it("match openapi.json", async () => {
    const dir = new URL("./", import.meta.url);
    const doc = JSON.parse(readFileSync(new URL("openapi.json", dir), "utf8"));
    const generated = astToString(await openapiTS(doc));
    const committed = readFileSync(new URL("schema.d.ts", dir), "utf8");
    const body = (text: string) => text.slice(text.indexOf("export interface paths"));
    expect(body(committed)).toBe(body(generated));
  });
});
