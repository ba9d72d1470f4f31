// The workspace's live connection to GET /api/events (API.md, "Real-time events").
//
// Every frame is {id, type, data} with increasing ids. We remember the last id
// and, after a reconnect, send {"since": lastId} as the first frame so the server
// replays what we missed: a client that reconnects misses nothing. Reconnects
// back off exponentially (with jitter, so a restarted server is not hit by every
// tab at once) and the backoff resets once a connection has opened.

export interface EventFrame {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "stopped";

/** The subset of the browser WebSocket that the stream uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface EventStreamOptions {
  url: string;
  onFrame: (frame: EventFrame) => void;
  onStateChange?: (state: ConnectionState) => void;
  /** Called after a reconnect has opened (not the first open): a chance to refetch. */
  onReconnected?: () => void;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (callback: () => void, delayMs: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 15_000;

/**
 * Delay before reconnect attempt `attempt` (0-based): base * 2^attempt capped at
 * the maximum, scaled by a jitter factor in [0.5, 1).
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(exponential * (0.5 + random() / 2));
}

/** Parse one frame; null for anything that is not {id:number, type:string}. */
export function parseFrame(raw: unknown): EventFrame | null {
  if (typeof raw !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { id, type, data } = value as Record<string, unknown>;
  if (typeof id !== "number" || typeof type !== "string") return null;
  const payload = typeof data === "object" && data !== null ? data : {};
  return { id, type, data: payload as Record<string, unknown> };
}

/** ws:// or wss:// URL of a same-origin path. */
export function sameOriginSocketUrl(path: string, location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class EventStream {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private openedOnce = false;
  private stopped = false;
  private state: ConnectionState = "stopped";
  lastId: number | null = null;

  constructor(private readonly options: EventStreamOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    this.setState("stopped");
  }

  getState(): ConnectionState {
    return this.state;
  }

  private connect(): void {
    this.setState(this.openedOnce ? "reconnecting" : "connecting");
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
    const socket = create(this.options.url);
    this.socket = socket;
    socket.onopen = () => this.handleOpen(socket);
    socket.onmessage = (event) => this.handleMessage(event.data);
    socket.onerror = () => socket.close();
    socket.onclose = () => this.handleClose(socket);
  }

  private handleOpen(socket: SocketLike): void {
    if (this.lastId !== null) socket.send(JSON.stringify({ since: this.lastId }));
    const reconnected = this.openedOnce;
    this.openedOnce = true;
    this.attempt = 0;
    this.setState("open");
    if (reconnected) this.options.onReconnected?.();
  }

  private handleMessage(raw: unknown): void {
    const frame = parseFrame(raw);
    if (!frame) return;
    // Replays may overlap what we already saw; ids only move forward.
    if (this.lastId !== null && frame.id <= this.lastId && frame.type !== "resync_required") return;
    if (this.lastId === null || frame.id > this.lastId) this.lastId = frame.id;
    this.options.onFrame(frame);
  }

  private handleClose(socket: SocketLike): void {
    if (socket !== this.socket || this.stopped) return;
    this.socket = null;
    this.setState("reconnecting");
    const delay = backoffDelayMs(this.attempt, this.options.random);
    this.attempt += 1;
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onStateChange?.(state);
  }

  private setTimer(callback: () => void, delayMs: number): unknown {
    return (this.options.setTimer ?? setTimeout)(callback, delayMs);
  }

  private clearTimer(handle: unknown): void {
    if (this.options.clearTimer) this.options.clearTimer(handle);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
