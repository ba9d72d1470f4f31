import { describe, expect, it } from "vitest";

import {
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  type ConnectionState,
  type EventFrame,
  EventStream,
  type SocketLike,
  backoffDelayMs,
  parseFrame,
} from "./eventStream";

class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: string[] = [];
  closed = false;
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(): void {
    this.onclose?.({});
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { callback: () => void; delay: number }[] = [];
  const frames: EventFrame[] = [];
  const states: ConnectionState[] = [];
  let reconnects = 0;
  const stream = new EventStream({
    url: "ws://test/api/events",
    onFrame: (frame) => frames.push(frame),
    onStateChange: (state) => states.push(state),
    onReconnected: () => {
      reconnects += 1;
    },
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    setTimer: (callback, delay) => timers.push({ callback, delay }),
    clearTimer: () => undefined,
    random: () => 0.999_999,
  });
  const fireTimer = () => timers.shift()?.callback();
  return { stream, sockets, timers, frames, states, fireTimer, reconnects: () => reconnects };
}

describe("backoffDelayMs", () => {
  it("doubles from the base and stops at the cap", () => {
    const noJitter = () => 0.999_999_999;
    expect(backoffDelayMs(0, noJitter)).toBe(BACKOFF_BASE_MS);
    expect(backoffDelayMs(1, noJitter)).toBe(BACKOFF_BASE_MS * 2);
    expect(backoffDelayMs(3, noJitter)).toBe(BACKOFF_BASE_MS * 8);
    expect(backoffDelayMs(50, noJitter)).toBe(BACKOFF_MAX_MS);
  });

  it("jitters down to half the delay, never more than it", () => {
    expect(backoffDelayMs(2, () => 0)).toBe(BACKOFF_BASE_MS * 2);
    expect(backoffDelayMs(2, () => 0.5)).toBe(BACKOFF_BASE_MS * 3);
  });
});

describe("parseFrame", () => {
  it("accepts {id, type, data} and rejects anything else", () => {
    expect(parseFrame('{"id": 3, "type": "counters", "data": {"red": 1}}')).toEqual({
      id: 3,
      type: "counters",
      data: { red: 1 },
    });
    expect(parseFrame('{"type": "counters"}')).toBeNull();
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame(42)).toBeNull();
  });
});

describe("EventStream", () => {
  it("sends no since on the first connection", () => {
    const h = harness();
    h.stream.start();
    h.sockets[0]!.open();
    expect(h.sockets[0]!.sent).toEqual([]);
    expect(h.stream.getState()).toBe("open");
  });

  it("resumes from the last seen id after a drop, with growing backoff", () => {
    const h = harness();
    h.stream.start();
    h.sockets[0]!.open();
    h.sockets[0]!.receive({ id: 7, type: "message.created", data: { session_id: 1 } });
    h.sockets[0]!.receive({ id: 9, type: "counters", data: { red: 2, blue: 1 } });

    h.sockets[0]!.drop();
    expect(h.stream.getState()).toBe("reconnecting");
    h.fireTimer();
    h.sockets[1]!.drop(); // the server is still down
    expect(h.timers.map((t) => t.delay)).toEqual([backoffDelayMs(1, () => 0.999_999)]);
    h.fireTimer();
    h.sockets[2]!.open();

    expect(h.sockets[2]!.sent).toEqual([JSON.stringify({ since: 9 })]);
    expect(h.stream.getState()).toBe("open");
    expect(h.reconnects()).toBe(1);
    expect(h.states).toEqual(["connecting", "open", "reconnecting", "open"]);
  });

  it("resets the backoff once a connection opens", () => {
    const h = harness();
    h.stream.start();
    h.sockets[0]!.drop();
    h.fireTimer();
    h.sockets[1]!.drop();
    h.fireTimer();
    h.sockets[2]!.open();
    h.sockets[2]!.drop();
    const delays = h.timers.map((t) => t.delay);
    expect(delays).toEqual([backoffDelayMs(0, () => 0.999_999)]);
  });

  it("drops replayed frames it has already seen", () => {
    const h = harness();
    h.stream.start();
    h.sockets[0]!.open();
    h.sockets[0]!.receive({ id: 5, type: "session.taken", data: {} });
    h.sockets[0]!.drop();
    h.fireTimer();
    h.sockets[1]!.open();
    h.sockets[1]!.receive({ id: 5, type: "session.taken", data: {} });
    h.sockets[1]!.receive({ id: 6, type: "session.closed", data: {} });
    expect(h.frames.map((f) => f.id)).toEqual([5, 6]);
    expect(h.stream.lastId).toBe(6);
  });

  it("does not reconnect after stop", () => {
    const h = harness();
    h.stream.start();
    h.sockets[0]!.open();
    h.stream.stop();
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.timers).toEqual([]);
    expect(h.stream.getState()).toBe("stopped");
  });
});
