import { useEffect } from "react";

import { takeNext, useStore, useT } from "../../store";

/** Red counter: sessions needing the user's attention (PRODUCT.md, "Counters"). */
export function RedCounter() {
  const t = useT();
  const red = useStore((s) => s.counters?.red ?? 0);
  useEffect(() => {
    document.title = red > 0 ? `(${red}) livedesk` : "livedesk";
  }, [red]);
  return (
    <span className={red > 0 ? "counter red" : "counter red zero"} title={t("redCounterTitle")}>
      {red}
    </span>
  );
}

/** Blue counter: unassigned sessions waiting; a click takes the next one and opens it. */
export function BlueCounter() {
  const t = useT();
  const blue = useStore((s) => s.counters?.blue ?? 0);
  return (
    <button
      type="button"
      className="counter blue"
      title={t("blueCounterTitle")}
      onClick={() => void takeNext(t("noWaiting"))}
    >
      {t("takeNext")} <span className="count">{blue}</span>
    </button>
  );
}
