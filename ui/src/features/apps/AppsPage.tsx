import { useEffect, useState } from "react";

import { type App, type AppField, type ItemPage, api } from "../../api/client";
import { nextSort } from "../../api/itemsQuery";
import { itemSaved, loadApps, selectApp, showItem, useStore, useT } from "../../store";
import { toErrors } from "../admin/form";
import { fill } from "../dialog/systemLines";
import { shortTime } from "../sessions/format";
import { ItemForm } from "./ItemForm";
import { Modal } from "./Modal";
import { cellText } from "./values";

const PAGE_SIZE = 25;
/** How long typing may pause before the search goes out. */
const SEARCH_DEBOUNCE_MS = 250;

/** Every user's view of the apps: pick one, list its items, open or create one. */
export function AppsPage() {
  const t = useT();
  const apps = useStore((s) => s.apps);
  const chosen = useStore((s) => s.appsViewAppId);
  useEffect(() => {
    void loadApps();
  }, []);
  const app = apps.find((a) => a.id === chosen) ?? apps[0] ?? null;
  return (
    <section className="apps-page" aria-label={t("apps")}>
      <nav className="apps-list" aria-label={t("apps")}>
        {apps.map((a) => (
          <button
            key={a.id}
            type="button"
            className={a.id === app?.id ? "group active" : "group"}
            aria-current={a.id === app?.id}
            data-app-id={a.id}
            onClick={() => selectApp(a.id)}
          >
            {a.name}
          </button>
        ))}
      </nav>
      {app ? (
        <ItemsTable key={app.id} app={app} />
      ) : (
        <p className="muted">{apps.length > 0 ? t("pickApp") : t("noApps")}</p>
      )}
    </section>
  );
}

type Filters = Record<string, string>;

function ItemsTable({ app }: { app: App }) {
  const t = useT();
  const version = useStore((s) => s.itemsVersion);
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState("-created_at");
  const [offset, setOffset] = useState(0);
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState<ItemPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed);
      setOffset(0);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  useEffect(() => {
    let live = true;
    api.items(app.id, { q, sort, limit: PAGE_SIZE, offset, filters }).then(
      (found) => {
        if (!live) return;
        setPage(found);
        setError(null);
      },
      (failure: unknown) => live && setError(toErrors(failure)._ ?? String(failure)),
    );
    return () => {
      live = false;
    };
  }, [app.id, q, sort, offset, filters, version]);

  const resort = (next: string) => {
    setSort(next);
    setOffset(0);
  };
  const filterable = app.fields.filter((f) => f.type === "select" || f.type === "boolean");
  const total = page?.total ?? 0;
  const shown = page?.items.length ?? 0;
  return (
    <div className="items-view">
      <div className="items-toolbar">
        <h2>{app.name}</h2>
        <input
          type="search"
          className="items-search"
          aria-label={t("searchItems")}
          placeholder={t("searchItems")}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        {filterable.map((field) => (
          <FilterSelect
            key={field.key}
            field={field}
            value={filters[field.key] ?? ""}
            onChange={(value) => {
              setFilters({ ...filters, [field.key]: value });
              setOffset(0);
            }}
          />
        ))}
        <span className="spacer" />
        <button type="button" className="new-item" onClick={() => setCreating(true)}>
          + {t("newItem")}
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      <div className="items-scroll">
        <table className="items-table admin-table">
          <thead>
            <tr>
              <SortHeader label="#" sortKey="id" sort={sort} onSort={resort} />
              {app.fields.map((field) => (
                <SortHeader
                  key={field.key}
                  label={field.label}
                  sortKey={field.key}
                  sort={sort}
                  onSort={resort}
                />
              ))}
              <SortHeader label={t("created")} sortKey="created_at" sort={sort} onSort={resort} />
            </tr>
          </thead>
          <tbody>
            {page?.items.map((item) => (
              <tr
                key={item.id}
                data-item-id={item.id}
                className="item-row"
                onClick={() => showItem(app.id, item.id)}
              >
                <td>
                  <button type="button" className="link item-open">
                    #{item.id}
                  </button>
                </td>
                {app.fields.map((field) => (
                  <td key={field.key} data-field={field.key}>
                    <Cell field={field} value={item.fields[field.key]} />
                  </td>
                ))}
                <td className="muted">{shortTime(item.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && shown === 0 && <p className="muted">{t("noItems")}</p>}
      </div>
      {total > 0 && (
        <div className="pager">
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            {t("previousPage")}
          </button>
          <span className="page-of">
            {fill(t("pageOf"), {
              from: String(offset + 1),
              to: String(offset + shown),
              total: String(total),
            })}
          </span>
          <button
            type="button"
            disabled={page?.next_offset == null}
            onClick={() => page?.next_offset != null && setOffset(page.next_offset)}
          >
            {t("nextPage")}
          </button>
        </div>
      )}
      {creating && (
        <Modal title={`${t("newItem")}: ${app.name}`} onClose={() => setCreating(false)}>
          <ItemForm
            app={app}
            values={{}}
            editing={false}
            submitLabel={t("create")}
            onSubmit={(fields) => api.createItem(app.id, fields)}
            onDone={() => {
              setCreating(false);
              itemSaved();
            }}
            onCancel={() => setCreating(false)}
          />
        </Modal>
      )}
    </div>
  );
}

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
}: {
  label: string;
  sortKey: string;
  sort: string;
  onSort: (sort: string) => void;
}) {
  const direction = sort === sortKey ? "ascending" : sort === `-${sortKey}` ? "descending" : "none";
  return (
    <th aria-sort={direction} data-sort-key={sortKey}>
      <button type="button" className="sort" onClick={() => onSort(nextSort(sort, sortKey))}>
        {label}
        <span aria-hidden="true">{ARROWS[direction]}</span>
      </button>
    </th>
  );
}

const ARROWS = { ascending: " ▲", descending: " ▼", none: "" } as const;

/** A filter by a select or yes/no field: the list's `?<key>=<value>`. */
function FilterSelect({
  field,
  value,
  onChange,
}: {
  field: AppField;
  value: string;
  onChange: (value: string) => void;
}) {
  const t = useT();
  const options =
    field.type === "boolean"
      ? [
          ["true", t("yes")],
          ["false", t("no")],
        ]
      : (field.options ?? []).map((o) => [o, o]);
  return (
    <label className="items-filter">
      <span>{field.label}</span>
      <select name={`filter-${field.key}`} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("all")}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A cell: the value on one line; a link (e.g. back to a chat) stays a link. */
function Cell({ field, value }: { field: AppField; value: unknown }) {
  const t = useT();
  const text = cellText(field, value, t("yes"));
  if (field.type === "string" && typeof value === "string" && /^https?:\/\/\S+$/.test(value)) {
    const here = value.startsWith(`${window.location.origin}/#`);
    return (
      <a
        href={value}
        target={here ? undefined : "_blank"}
        rel="noreferrer"
        onClick={(e) => e.stopPropagation()}
      >
        {text}
      </a>
    );
  }
  return <>{text}</>;
}
