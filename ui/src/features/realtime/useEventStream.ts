import { useEffect } from "react";

import { applyEvent, resyncAll, setConnection } from "../../store";
import { EventStream, sameOriginSocketUrl } from "./eventStream";

/** Keep one event stream open while `enabled` (i.e. while logged in). */
export function useEventStream(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const stream = new EventStream({
      url: sameOriginSocketUrl("/api/events", window.location),
      onFrame: applyEvent,
      onStateChange: setConnection,
      onReconnected: resyncAll,
    });
    stream.start();
    return () => stream.stop();
  }, [enabled]);
}
