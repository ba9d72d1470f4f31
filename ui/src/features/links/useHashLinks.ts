import { useEffect } from "react";

import { closeItem, openSession, setView, showAppsView, showItem } from "../../store";
import { parseHash } from "./hashLinks";

/** Follow "#session=" and "#item=" links once signed in (a link opened in a new tab, or
 * clicked inside the page), then clear the hash so the same link works again. */
export function useHashLinks(signedIn: boolean): void {
  useEffect(() => {
    if (!signedIn) return;
    const follow = () => {
      const target = parseHash(window.location.hash);
      if (!target) return;
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      if (target.kind === "session") {
        closeItem();
        setView("workspace");
        void openSession(target.sessionId);
      } else {
        showAppsView(target.appId);
        showItem(target.appId, target.itemId);
      }
    };
    follow();
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, [signedIn]);
}
