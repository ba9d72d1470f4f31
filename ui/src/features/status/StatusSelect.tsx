import type { OperatorStatus } from "../../api/client";
import type { MessageKey } from "../../i18n";
import { changeStatus, useStore, useT } from "../../store";

const OPTIONS: [OperatorStatus, MessageKey][] = [
  ["online", "statusOnline"],
  ["away", "statusAway"],
  ["offline", "statusOffline"],
];

export function StatusSelect() {
  const t = useT();
  const status = useStore((s) => s.status);
  return (
    <label className="status-select">
      <span className={`dot dot-${status}`} aria-hidden="true" />
      <span className="sr-only">{t("status")}</span>
      <select
        value={status}
        aria-label={t("status")}
        onChange={(event) => void changeStatus(event.target.value as OperatorStatus)}
      >
        {OPTIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {t(label)}
          </option>
        ))}
      </select>
    </label>
  );
}
