import { type FormEvent, useEffect, useState } from "react";

import { type App, type AppField, type FieldValues, api } from "../../api/client";
import { useT } from "../../store";
import { type Errors, Field, toErrors } from "../admin/form";
import { fill } from "../dialog/systemLines";
import { sessionHash } from "../links/hashLinks";
import { type Draft, type DraftValue, changedPayload, createPayload, toDraft } from "./values";

/**
 * An item's fields as a form, each type with its own input. New items send every value
 * given; an edit sends only what changed (PATCH). The server checks the values: its
 * message about a field ("fields.amount: must be a number") shows under that field.
 */
export function ItemForm({
  app,
  values,
  editing,
  submitLabel,
  onSubmit,
  onDone,
  onCancel,
  sessionFor,
}: {
  app: App;
  /** The values the form starts with: the item's, or a new item's prefill. */
  values: FieldValues;
  editing: boolean;
  submitLabel: string;
  onSubmit: (fields: FieldValues) => Promise<unknown>;
  onDone?: () => void;
  onCancel?: () => void;
  /** The session to open for a contact field's contact, when there is one. */
  sessionFor?: (contactId: number) => number | null;
}) {
  const t = useT();
  const [initial] = useState(() => toDraft(app.fields, values));
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields = editing
      ? changedPayload(app.fields, initial, draft)
      : createPayload(app.fields, draft);
    if (editing && Object.keys(fields).length === 0) return setInfo(t("noChanges"));
    setBusy(true);
    try {
      await onSubmit(fields);
      setErrors({});
      onDone?.();
    } catch (error) {
      setErrors(toErrors(error));
    } finally {
      setBusy(false);
    }
  }

  const keys = new Set(app.fields.map((f) => f.key));
  // Problems that name no field of this form (e.g. a field removed meanwhile) go on top.
  const general = Object.entries(errors)
    .filter(([key]) => !keys.has(key))
    .map(([, text]) => text);
  const set = (key: string, value: DraftValue) => {
    setInfo(null);
    setDraft((d) => ({ ...d, [key]: value }));
    // The server's word on a field stands until the field is changed.
    if (errors[key]) setErrors(({ [key]: _, ...rest }) => rest);
  };
  return (
    <form
      className="item-form"
      aria-label={app.name}
      data-app-id={app.id}
      onSubmit={submit}
      noValidate
    >
      {general.length > 0 && <p className="error">{general.join("; ")}</p>}
      {app.fields.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          value={draft[field.key] ?? null}
          error={errors[field.key]}
          onChange={(value) => set(field.key, value)}
          sessionFor={sessionFor}
        />
      ))}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="link" onClick={onCancel}>
            {t("cancel")}
          </button>
        )}
        {info && <span className="muted">{info}</span>}
      </div>
    </form>
  );
}

function FieldInput({
  field,
  value,
  error,
  onChange,
  sessionFor,
}: {
  field: AppField;
  value: DraftValue;
  error: string | undefined;
  onChange: (value: DraftValue) => void;
  sessionFor?: (contactId: number) => number | null;
}) {
  const label = field.required ? `${field.label} *` : field.label;
  const text = typeof value === "string" ? value : "";
  const common = { name: field.key, "data-field-type": field.type };
  if (field.type === "boolean") {
    return (
      <div className={error ? "field invalid" : "field"}>
        <label className="check">
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          {label}
        </label>
        {error && <span className="field-error">{error}</span>}
      </div>
    );
  }
  if (field.type === "contact") {
    const id = typeof value === "number" ? value : null;
    return (
      <div className={error ? "field invalid" : "field"} data-field={field.key}>
        <span>{label}</span>
        {id === null ? (
          <span className="muted">—</span>
        ) : (
          <ContactValue contactId={id} sessionId={sessionFor?.(id) ?? null} />
        )}
        {error && <span className="field-error">{error}</span>}
      </div>
    );
  }
  let input;
  if (field.type === "text") {
    input = (
      <textarea {...common} rows={5} value={text} onChange={(e) => onChange(e.target.value)} />
    );
  } else if (field.type === "select") {
    const options = field.options ?? [];
    input = (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {/* A value whose option was removed since stays visible until changed. */}
        {text && !options.includes(text) && <option value={text}>{text}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        {...common}
        type={INPUT_TYPES[field.type] ?? "text"}
        step={field.type === "number" ? "any" : undefined}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <Field label={label} error={error}>
      {input}
    </Field>
  );
}

const INPUT_TYPES: Partial<Record<AppField["type"], string>> = {
  number: "number",
  date: "date",
  email: "email",
  phone: "tel",
};

/** A contact field: who it is (read-only), and a link that opens their chat. */
export function ContactValue({
  contactId,
  sessionId,
}: {
  contactId: number;
  sessionId: number | null;
}) {
  const t = useT();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.contact(contactId).then(
      (contact) => live && setName(contact.name),
      () => live && setName(null),
    );
    return () => {
      live = false;
    };
  }, [contactId]);
  return (
    <span className="contact-value" data-contact-id={contactId}>
      <span className="contact-value-name">
        {name ?? fill(t("contactRef"), { id: String(contactId) })}
      </span>
      {name && <span className="muted"> #{contactId}</span>}
      {sessionId !== null && (
        <a className="open-chat" href={sessionHash(sessionId)}>
          {t("openChat")}
        </a>
      )}
    </span>
  );
}
