// Alerts when a customer writes to one of my live chats: a short beep
// (WebAudio, no sound file), and a browser notification while the tab is hidden.

/** The `alert` event's data (docs/events.md). */
export interface AlertData {
  session_id: number;
  livechat_id: number;
  name?: string;
  channel_kind?: string;
  preview?: string;
  new_session?: boolean;
}

let audio: AudioContext | null = null;

/** Two short tones. Browsers allow sound only after a user gesture; failing is fine. */
export function playBeep(): void {
  try {
    const Ctx = globalThis.AudioContext;
    if (!Ctx) return;
    audio ??= new Ctx();
    const ctx = audio;
    if (ctx.state === "suspended") void ctx.resume().catch(() => undefined);
    for (const [offset, freq] of [
      [0, 880],
      [0.16, 1175],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      const start = ctx.currentTime + offset;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.15);
    }
  } catch {
    // No audio device or not allowed yet.
  }
}

/** Ask for notification permission; call it from a click (browsers require a gesture). */
export function requestNotificationPermission(): void {
  try {
    if (typeof Notification !== "undefined" && Notification.permission === "default") {
      void Notification.requestPermission().catch(() => undefined);
    }
  } catch {
    // Not supported here.
  }
}

export function notificationsAllowed(): boolean {
  return typeof Notification !== "undefined" && Notification.permission === "granted";
}

export function showBrowserNotification(title: string, body: string, onClick: () => void): void {
  if (!notificationsAllowed()) return;
  try {
    const n = new Notification(title || "livedesk", { body, tag: "livedesk-alert" });
    n.onclick = () => {
      onClick();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker.
  }
}
