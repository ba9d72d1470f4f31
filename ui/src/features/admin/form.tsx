import { type ReactNode, useState } from "react";

import { ApiError } from "../../api/client";
import { useT } from "../../store";
import { fieldErrors } from "./fieldErrors";

export type Errors = Record<string, string>;

/** Turn a failed save into messages by field (422) or one general message. */
export function toErrors(error: unknown): Errors {
  if (error instanceof ApiError && error.status === 422) return fieldErrors(error.message);
  if (error instanceof ApiError) return { _: error.message };
  return { _: String(error) };
}

export function Field({
  label,
  error,
  children,
}: {
  label: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <label className={error ? "field invalid" : "field"}>
      <span>{label}</span>
      {children}
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

/** A value to paste elsewhere (a snippet, a URL, a secret), with a Copy button. */
export function Copyable({ text, className = "" }: { text: string; className?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className={`snippet ${className}`.trim()}>
      <code>{text}</code>
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? t("copied") : t("copy")}
      </button>
    </div>
  );
}
