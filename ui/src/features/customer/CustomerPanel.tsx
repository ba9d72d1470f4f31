import { useState } from "react";

import { assignSession, useStore, useT } from "../../store";
import { ChannelIcon } from "../sessions/ChannelIcon";
import { initials } from "../sessions/format";
import { AccountSection, ContactItems, CreateItemWindow } from "./AppsInPanel";
import { boundApps } from "./apps";

/** Right-hand panel: who the customer is, Assign operator, and what the live chat's apps
 * give: Create item, the contact's items, the Account section. */
export function CustomerPanel() {
  const t = useT();
  const session = useStore((s) => s.openSession);
  const contact = useStore((s) => s.contact);
  const detail = useStore((s) => s.livechatDetail);
  const me = useStore((s) => s.me);
  const [picking, setPicking] = useState(false);
  // The session a Create item window is open for (it closes when another session opens).
  const [creatingFor, setCreatingFor] = useState<number | null>(null);
  if (!session) return <aside className="customer-panel empty" />;

  const roles = me?.livechats.find((l) => l.id === session.livechat_id)?.roles ?? [];
  const canAssign =
    session.status !== "closed" &&
    (roles.includes("supervisor") || session.assignee?.id === me?.id);
  const operators = (detail?.members ?? []).filter((m) => m.roles.includes("operator"));
  const name = contact?.name ?? session.contact.name;
  const apps = boundApps(detail?.id === session.livechat_id ? detail : null);

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
        <div className="name-row">
          <strong className="contact-name">{name}</strong>
          {apps.item && (
            <button
              type="button"
              className="create-item"
              onClick={() => setCreatingFor(session.id)}
            >
              + {t("createItem")}
            </button>
          )}
        </div>
        {contact?.email && <span className="muted">{contact.email}</span>}
        {contact?.phone && <span className="muted">{contact.phone}</span>}
      </div>
      {contact && contact.identities && contact.identities.length > 0 && (
        <ul className="identities" aria-label={t("channels")}>
          {contact.identities.map((identity) => (
            <li key={`${identity.channel_id}-${identity.external_id}`}>
              <ChannelIcon kind={identity.channel_kind} />
              {identity.channel_kind === "widget" ? (
                // A widget visitor's id is random: the operator learns nothing from it.
                <span title={identity.external_id}>{t("websiteVisitor")}</span>
              ) : (
                <span>{identity.username ? `@${identity.username}` : identity.external_id}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      <ContactItems />
      {apps.customer && detail?.settings.customer_app_id != null && (
        <AccountSection appId={Number(detail.settings.customer_app_id)} />
      )}
      {apps.item && creatingFor === session.id && detail?.settings.item_app_id != null && (
        <CreateItemWindow
          appId={Number(detail.settings.item_app_id)}
          onClose={() => setCreatingFor(null)}
        />
      )}
    </aside>
  );
}

function statusKey(status: string) {
  return status === "online" ? "statusOnline" : status === "away" ? "statusAway" : "statusOffline";
}
