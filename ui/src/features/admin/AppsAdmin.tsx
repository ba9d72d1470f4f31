import { type FormEvent, useEffect, useState } from "react";

import { type App, ApiError, api } from "../../api/client";
import { loadApps, useStore, useT } from "../../store";
import {
  type AppDraft,
  type AppErrors,
  FIELD_TYPES,
  type FieldDraft,
  appBody,
  appErrors,
  keyFromLabel,
  moveField,
  newField,
  toAppDraft,
} from "../apps/definition";
import { Copyable, Field } from "./form";

const TYPE_LABELS = {
  string: "typeString",
  text: "typeText",
  number: "typeNumber",
  date: "typeDate",
  boolean: "typeBoolean",
  select: "typeSelect",
  email: "typeEmail",
  phone: "typePhone",
  contact: "typeContact",
} as const;

/** Admin → Apps: the apps, and an editor for a new or an existing one. */
export function AppsAdmin() {
  const t = useT();
  const apps = useStore((s) => s.apps);
  const [selected, setSelected] = useState<number | "new" | null>(null);
  useEffect(() => {
    void loadApps();
  }, []);
  const app = typeof selected === "number" ? (apps.find((a) => a.id === selected) ?? null) : null;
  return (
    <div className="admin-body admin-livechats admin-apps">
      <div>
        <button type="button" className="new-app" onClick={() => setSelected("new")}>
          + {t("newApp")}
        </button>
        <ul className="admin-list">
          {apps.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={a.id === selected ? "group active" : "group"}
                data-app-id={a.id}
                onClick={() => setSelected(a.id)}
              >
                {a.name}
                <span className="muted">{a.fields.length}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      {(selected === "new" || app) && (
        <AppEditor
          key={selected === "new" ? "new" : app!.id}
          app={app}
          onCreated={async (created) => {
            await loadApps();
            setSelected(created.id);
          }}
        />
      )}
    </div>
  );
}

const NO_ERRORS: AppErrors = { top: {}, fields: {} };

function AppEditor({
  app,
  onCreated,
}: {
  app: App | null;
  onCreated: (app: App) => Promise<void>;
}) {
  const t = useT();
  const [draft, setDraft] = useState<AppDraft>(() => toAppDraft(app));
  const [secret, setSecret] = useState(app?.webhook_secret ?? null);
  const [errors, setErrors] = useState<AppErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);

  function change(patch: Partial<AppDraft>) {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  }
  function changeField(index: number, patch: Partial<FieldDraft>) {
    const fields = draft.fields.map((f, i) => {
      if (i !== index) return f;
      const next = { ...f, ...patch };
      if ("key" in patch) next.autoKey = false;
      if ("label" in patch && f.autoKey) next.key = keyFromLabel(next.label);
      return next;
    });
    change({ fields });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const body = appBody(draft);
      const result = app ? await api.updateApp(app.id, body) : await api.createApp(body);
      setErrors(NO_ERRORS);
      if (!app) return await onCreated(result);
      setDraft(toAppDraft(result));
      setSecret(result.webhook_secret ?? null);
      setSaved(true);
      void loadApps();
    } catch (error) {
      const keys = draft.fields.map((f) => f.key.trim());
      setErrors(
        error instanceof ApiError
          ? appErrors(error.code, error.message, keys)
          : { top: { _: String(error) }, fields: {} },
      );
    }
  }

  return (
    <form
      className="admin-form app-editor"
      aria-label={app ? app.name : t("newApp")}
      onSubmit={submit}
      noValidate
    >
      <h3>{app ? app.name : t("newApp")}</h3>
      {errors.top._ && <p className="error">{errors.top._}</p>}
      <Field label={t("name")} error={errors.top.name}>
        <input name="name" value={draft.name} onChange={(e) => change({ name: e.target.value })} />
      </Field>
      <Field label={t("webhookUrl")} error={errors.top.webhook_url}>
        <input
          name="webhook_url"
          value={draft.webhookUrl}
          placeholder="https://"
          spellCheck={false}
          onChange={(e) => change({ webhookUrl: e.target.value })}
        />
      </Field>
      {secret && (
        <div className="webhook-secret">
          <span>{t("webhookSecret")}</span>
          <Copyable text={secret} className="app-secret" />
          <p className="hint">{t("webhookSigned")}</p>
        </div>
      )}
      <fieldset className="field-editor">
        <legend>{t("fieldsTitle")}</legend>
        {draft.fields.length === 0 && <p className="muted">{t("noFields")}</p>}
        <ol>
          {draft.fields.map((field, index) => (
            <FieldRow
              key={field.uid}
              field={field}
              index={index}
              count={draft.fields.length}
              errors={errors.fields[index] ?? {}}
              onChange={(patch) => changeField(index, patch)}
              onMove={(by) => {
                setErrors(NO_ERRORS); // they name rows by position
                change({ fields: moveField(draft.fields, index, by) });
              }}
              onRemove={() => {
                setErrors(NO_ERRORS);
                change({ fields: draft.fields.filter((_, i) => i !== index) });
              }}
            />
          ))}
        </ol>
        <button
          type="button"
          className="add-field"
          onClick={() => change({ fields: [...draft.fields, newField()] })}
        >
          + {t("addField")}
        </button>
      </fieldset>
      <div className="form-actions">
        <button type="submit">{app ? t("save") : t("create")}</button>
        {saved && <span className="muted saved">{t("saved")}</span>}
      </div>
    </form>
  );
}

function FieldRow({
  field,
  index,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  field: FieldDraft;
  index: number;
  count: number;
  errors: Record<string, string>;
  onChange: (patch: Partial<FieldDraft>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const t = useT();
  return (
    <li className="field-row" data-field-index={index}>
      <div className="field-row-inputs">
        <Field label={t("fieldLabel")} error={errors.label}>
          <input
            name="label"
            value={field.label}
            onChange={(e) => onChange({ label: e.target.value })}
          />
        </Field>
        <Field label={t("fieldKey")} error={errors.key}>
          <input
            name="key"
            value={field.key}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onChange({ key: e.target.value })}
          />
        </Field>
        <Field label={t("fieldType")} error={errors.type}>
          <select
            name="type"
            value={field.type}
            onChange={(e) => onChange({ type: e.target.value as FieldDraft["type"] })}
          >
            {FIELD_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(TYPE_LABELS[type])}
              </option>
            ))}
          </select>
        </Field>
        <label className="check">
          <input
            type="checkbox"
            name="required"
            checked={field.required}
            onChange={(e) => onChange({ required: e.target.checked })}
          />
          {t("required")}
        </label>
      </div>
      {field.type === "select" && (
        <Field label={t("options")} error={errors.options}>
          <textarea
            name="options"
            rows={3}
            value={field.options}
            onChange={(e) => onChange({ options: e.target.value })}
          />
        </Field>
      )}
      {errors._ && <p className="error">{errors._}</p>}
      <div className="field-row-actions">
        <button
          type="button"
          aria-label={t("moveUp")}
          title={t("moveUp")}
          disabled={index === 0}
          onClick={() => onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          aria-label={t("moveDown")}
          title={t("moveDown")}
          disabled={index === count - 1}
          onClick={() => onMove(1)}
        >
          ↓
        </button>
        <button
          type="button"
          aria-label={t("removeField")}
          title={t("removeField")}
          onClick={onRemove}
        >
          ×
        </button>
      </div>
    </li>
  );
}
