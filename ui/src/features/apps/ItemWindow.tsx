import { useEffect, useState } from "react";

import { type Item, api } from "../../api/client";
import { closeItem, itemSaved, loadApps, useStore, useT } from "../../store";
import { fill } from "../dialog/systemLines";
import { sessionHash } from "../links/hashLinks";
import { ItemForm } from "./ItemForm";
import { Modal } from "./Modal";

/** The item the store says is open (a system line's link, the customer panel, the Apps
 * table, a "#item=" link), in a window to read and edit. */
export function ItemWindow() {
  const t = useT();
  const target = useStore((s) => s.openItem);
  const apps = useStore((s) => s.apps);
  const lang = useStore((s) => s.lang);
  const [item, setItem] = useState<Item | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setItem(null);
    setError(null);
    if (!target) return;
    let live = true;
    void loadApps();
    api.item(target.appId, target.itemId).then(
      (found) => live && setItem(found),
      (failure: Error) => live && setError(failure.message),
    );
    return () => {
      live = false;
    };
  }, [target]);

  if (!target) return null;
  const app = apps.find((a) => a.id === target.appId);
  const title = app && item ? `${app.name}: ${item.title}` : (app?.name ?? "…");
  return (
    <Modal title={title} onClose={closeItem} className="item-window">
      {error && <p className="error">{error}</p>}
      {app && item && (
        <>
          <p className="muted item-meta">
            {item.created_by &&
              fill(t("createdBy"), {
                name: item.created_by.name,
                when: new Date(item.created_at).toLocaleString(lang),
              })}
            {item.session_id !== null && (
              <a className="open-chat" href={sessionHash(item.session_id)}>
                {t("openChat")}
              </a>
            )}
          </p>
          <ItemForm
            key={`${item.id}-${app.updated_at}`}
            app={app}
            values={item.fields}
            editing
            submitLabel={t("save")}
            onSubmit={(fields) => api.updateItem(app.id, item.id, fields)}
            onDone={() => {
              itemSaved();
              closeItem();
            }}
            onCancel={closeItem}
            sessionFor={(contactId) =>
              contactId === item.contact_id ? (item.session_id ?? null) : null
            }
          />
        </>
      )}
    </Modal>
  );
}
