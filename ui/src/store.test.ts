import { afterEach, describe, expect, it, vi } from "vitest";

import {
  getState,
  loadMoreSessions,
  refreshCounters,
  refreshSessions,
  selectGroup,
  setConnection,
  setLang,
} from "./store";

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a request that gets no answer", () => {
  it("says the server cannot be reached, in the user's language, until the stream is back", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    setLang("en");
    await refreshCounters();
    expect(getState().notice).toBe("Cannot reach the server. Retrying…");
    setLang("ru");
    expect(getState().notice).toBe("Нет связи с сервером. Повторяем попытку…");
    setConnection("open");
    expect(getState().notice).toBeNull();
    setLang("en");
  });
});

describe("loadMoreSessions", () => {
  it("sends one request at a time and appends each page once", async () => {
    const row = (id: number) => ({ id, name: `Chat ${id}` });
    const fetch = vi.fn(async () => json({ items: [row(1)], next_cursor: "c1" }));
    vi.stubGlobal("fetch", fetch);
    selectGroup(1, "mine");
    await refreshSessions();
    expect(getState().sessionsCursor).toBe("c1");
    let answer: (response: Response) => void = () => undefined;
    fetch.mockReset().mockReturnValue(new Promise<Response>((done) => (answer = done)));
    const first = loadMoreSessions();
    const second = loadMoreSessions();
    answer(json({ items: [row(2)], next_cursor: null }));
    await Promise.all([first, second]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(getState().sessions.map((s) => s.id)).toEqual([1, 2]);
    expect(getState().sessionsCursor).toBeNull();
  });
});
