// The customer panel's part of the apps (docs/apps.md): Create item from the chat, the
// contact's items, and the Account section (create or link the customer record).
import { useEffect, useMemo, useState } from "react";

import { type Item, api } from "../../api/client";
import {
  changeAccount,
  createSessionItem,
  loadApps,
  showItem,
  useStore,
  useT,
} from "../../store";
import { toErrors } from "../admin/form";
import { ItemForm } from "../apps/ItemForm";
import { Modal } from "../apps/Modal";
import { prefillAccount, prefillItem, transcript } from "../apps/prefill";
import { cellText } from "../apps/values";
import { fill } from "../dialog/systemLines";
import { itemHash, sessionLink } from "../links/hashLinks";

/** Create an item of the live chat's item app from the open chat, prefilled from it. */
export function CreateItemWindow({ appId, onClose }: { appId: number; onClose: () => void }) {
  const t = useT();
  const app = useStore((s) => s.apps.find((a) => a.id === appId) ?? null);
  const session = useStore((s) => s.openSession);
  const contact = useStore((s) => s.contact);
  const messages = useStore((s) => s.messages);
  useEffect(() => {
    void loadApps();
  }, []);
  // Computed when the form opens; the form keeps what the operator types from then on.
  const values = useMemo(
    () =>
      app && session
        ? prefillItem(app.fields, {
            contact: contact?.id === session.contact.id ? contact : null,
            contactId: session.contact.id,
            link: sessionLink(window.location.origin, session.id),
            transcript: transcript(messages.filter((m) => m.session_id === session.id)),
          })
        : null,
    // Not on every new message: the prefill is what the chat held when the form opened.
    [app?.id, app?.updated_at, session?.id],
  );
  if (!session) return null;
  return (
    <Modal title={`${t("createItem")}: ${app?.name ?? "…"}`} onClose={onClose}>
      {app && values && (
        <ItemForm
          key={`${app.id}-${app.updated_at}`}
          app={app}
          values={values}
          editing={false}
          submitLabel={t("create")}
          onSubmit={createSessionItem}
          onDone={onClose}
          onCancel={onClose}
          sessionFor={(contactId) => (contactId === session.contact.id ? session.id : null)}
        />
      )}
    </Modal>
  );
}

function ItemLink({ item, label }: { item: Item; label: string }) {
  return (
    <a
      className="item-link"
      href={itemHash(item.app_id, item.id)}
      data-item-id={item.id}
      onClick={(event) => {
        event.preventDefault();
        showItem(item.app_id, item.id);
      }}
    >
      {label}
    </a>
  );
}

/** The items linked to the contact (and to the contacts sharing its customer record). */
export function ContactItems() {
  const t = useT();
  const items = useStore((s) => s.panelItems);
  const apps = useStore((s) => s.apps);
  const account = useStore((s) => s.account?.account?.id);
  const shown = items.filter((i) => i.id !== account);
  if (shown.length === 0) return null;
  return (
    <section className="contact-items" aria-label={t("items")}>
      <h3>{t("items")}</h3>
      <ul>
        {shown.map((item) => {
          const app = apps.find((a) => a.id === item.app_id);
          return (
            <li key={item.id}>
              {app && <span className="muted">{app.name} · </span>}
              <ItemLink item={item} label={item.title} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The contact's customer record: create it from the contact, link an existing one, or
 * show it with the number of contacts it links (their histories show in the dialog). */
export function AccountSection({ appId }: { appId: number }) {
  const t = useT();
  const account = useStore((s) => s.account);
  const contact = useStore((s) => s.contact);
  const app = useStore((s) => s.apps.find((a) => a.id === appId) ?? null);
  const [mode, setMode] = useState<"idle" | "create" | "link">("idle");
  const [error, setError] = useState<string | null>(null);
  const contactId = contact?.id;
  useEffect(() => {
    setMode("idle");
    setError(null);
  }, [contactId]);

  const run = async (body: Parameters<typeof changeAccount>[0]) => {
    try {
      await changeAccount(body);
      setMode("idle");
      setError(null);
    } catch (failure) {
      setError(toErrors(failure)._ ?? String(failure));
    }
  };
  const record = account?.contact_id === contactId ? account?.account : undefined;
  return (
    <section className="account" aria-label={t("account")}>
      <h3>{t("account")}</h3>
      {record ? (
        <div className="account-record" data-item-id={record.id}>
          <ItemLink item={record} label={record.title} />
          {app && (
            <dl className="account-fields">
              {app.fields.map((field) => {
                const text = cellText(field, record.fields[field.key], t("yes"));
                return text ? (
                  <div key={field.key} data-field={field.key}>
                    <dt>{field.label}</dt>
                    <dd>{text}</dd>
                  </div>
                ) : null;
              })}
            </dl>
          )}
          <span className="muted linked-count">
            {fill(t("linkedContacts"), { count: String(account?.linked_contact_ids.length ?? 1) })}
          </span>
          <button type="button" className="unlink" onClick={() => void run(null)}>
            {t("unlink")}
          </button>
        </div>
      ) : account ? (
        <>
          <p className="muted">{t("noAccount")}</p>
          <div className="account-actions">
            <button type="button" className="create-account" onClick={() => setMode("create")}>
              {t("createCustomer")}
            </button>
            <button
              type="button"
              className="link-account"
              aria-expanded={mode === "link"}
              onClick={() => setMode(mode === "link" ? "idle" : "link")}
            >
              {t("linkExisting")}
            </button>
          </div>
          {mode === "link" && (
            <AccountSearch appId={appId} onPick={(itemId) => void run({ item_id: itemId })} />
          )}
        </>
      ) : null}
      {error && <p className="error">{error}</p>}
      {mode === "create" && contact && (
        <Modal
          title={`${t("createCustomer")}: ${app?.name ?? "…"}`}
          onClose={() => setMode("idle")}
        >
          {app && (
            <ItemForm
              key={`${app.id}-${app.updated_at}`}
              app={app}
              values={prefillAccount(app.fields, contact)}
              editing={false}
              submitLabel={t("create")}
              onSubmit={(fields) => changeAccount({ fields })}
              onDone={() => setMode("idle")}
              onCancel={() => setMode("idle")}
            />
          )}
        </Modal>
      )}
    </section>
  );
}

const SEARCH_DEBOUNCE_MS = 250;
const SEARCH_LIMIT = 10;

/** Find a customer record by name (the app's item search) and pick it. */
function AccountSearch({ appId, onPick }: { appId: number; onPick: (itemId: number) => void }) {
  const t = useT();
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Item[] | null>(null);
  useEffect(() => {
    if (!q.trim()) return setFound(null);
    let live = true;
    const timer = setTimeout(() => {
      api.items(appId, { q, limit: SEARCH_LIMIT }).then(
        (page) => live && setFound(page.items),
        () => live && setFound([]),
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [appId, q]);
  return (
    <div className="account-search">
      <input
        type="search"
        aria-label={t("searchCustomers")}
        placeholder={t("searchCustomers")}
        value={q}
        autoFocus
        onChange={(e) => setQ(e.target.value)}
      />
      {found && found.length === 0 && <p className="muted">{t("nothingFound")}</p>}
      {found && found.length > 0 && (
        <ul className="account-hits">
          {found.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                className="account-hit"
                data-item-id={item.id}
                onClick={() => onPick(item.id)}
              >
                <span>{item.title}</span>
                <span className="link">{t("link")}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
