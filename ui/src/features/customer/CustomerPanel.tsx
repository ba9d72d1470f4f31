import { useState } from "react";

import { assignSession, useStore, useT } from "../../store";
import { ChannelIcon } from "../sessions/ChannelIcon";
import { initials } from "../sessions/format";

/** Right-hand panel: who the customer is, and Assign operator. */
export function CustomerPanel() {
  const t = useT();
  const session = useStore((s) => s.openSession);
  const contact = useStore((s) => s.contact);
  const detail = useStore((s) => s.livechatDetail);
  const me = useStore((s) => s.me);
  const [picking, setPicking] = useState(false);
  if (!session) return <aside className="customer-panel empty" />;

  const roles = me?.livechats.find((l) => l.id === session.livechat_id)?.roles ?? [];
  const canAssign =
    session.status !== "closed" &&
    (roles.includes("supervisor") || session.assignee?.id === me?.id);
  const operators = (detail?.members ?? []).filter((m) => m.roles.includes("operator"));
  const name = contact?.name ?? session.contact.name;

  return (
    <aside className="customer-panel" aria-label={t("customerInfo")}>
      <h3>{t("customerInfo")}</h3>
      {canAssign && (
        <div className="assign">
          <button
            type="button"
            className="assign-toggle"
            aria-expanded={picking}
            onClick={() => setPicking(!picking)}
          >
            ⟳ {t("assignOperator")}
          </button>
          {picking && (
            <ul className="operator-list" aria-label={t("assignOperator")}>
              {operators.length === 0 && <li className="muted">{t("noOperators")}</li>}
              {operators.map((op) => (
                <li key={op.id}>
                  <button
                    type="button"
                    className="operator"
                    data-operator-id={op.id}
                    disabled={op.id === session.assignee?.id}
                    onClick={() => {
                      setPicking(false);
                      void assignSession(op.id);
                    }}
                  >
                    <span className={`dot dot-${op.status}`} aria-hidden="true" />
                    <span className="operator-name">{op.name}</span>
                    <span className="muted">{t(statusKey(op.status))}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="contact-card">
        {contact?.avatar_url ? (
          <img className="avatar big" src={contact.avatar_url} alt="" referrerPolicy="no-referrer" />
        ) : (
          <span className="avatar big" aria-hidden="true">
            {initials(name)}
          </span>
        )}
        <strong className="contact-name">{name}</strong>
        {contact?.email && <span className="muted">{contact.email}</span>}
        {contact?.phone && <span className="muted">{contact.phone}</span>}
      </div>
      {contact && contact.identities && contact.identities.length > 0 && (
        <ul className="identities" aria-label={t("channels")}>
          {contact.identities.map((identity) => (
            <li key={`${identity.channel_id}-${identity.external_id}`}>
              <ChannelIcon kind={identity.channel_kind} />
              <span>{identity.username ? `@${identity.username}` : identity.external_id}</span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function statusKey(status: string) {
  return status === "online" ? "statusOnline" : status === "away" ? "statusAway" : "statusOffline";
}
