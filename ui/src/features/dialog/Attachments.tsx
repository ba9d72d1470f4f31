// Attachments in the dialog: the composer's uploads (chips with progress and errors) and
// the files messages carry (image thumbnails with a lightbox, download rows for the rest).
// File names come from customers: they are only ever rendered as text.
import { type MouseEvent, useCallback, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";

import { type Attachment, ApiError, MAX_UPLOAD_BYTES, uploadFile } from "../../api/client";
import { type Lang, type MessageKey, translate } from "../../i18n";
import { useStore, useT } from "../../store";

// --- sizes ---------------------------------------------------------------------------

const KIB = 1024;
const MIB = 1024 * 1024;

/** "812 B", "4.5 KB", "12 MB" (binary units, as the upload limit is counted). */
export function formatSize(bytes: number, lang: Lang = "en"): string {
  const [value, unit]: [number, MessageKey] =
    bytes < KIB
      ? [bytes, "sizeBytes"]
      : bytes < MIB
        ? [bytes / KIB, "sizeKilobytes"]
        : [bytes / MIB, "sizeMegabytes"];
  const digits = value < 10 && unit !== "sizeBytes" ? 1 : 0;
  const number = value.toLocaleString(lang, { maximumFractionDigits: digits });
  return `${number} ${translate(lang, unit)}`;
}

// --- what messages carry -------------------------------------------------------------

/** An attachment as a message bubble shows it. */
export interface ShownAttachment {
  name: string;
  /** A messenger's own word for what it is ("Voice message", "Sticker"), if any. */
  label: string | null;
  size: number | null;
  /** A same-site path that downloads the file; null when the file cannot be fetched. */
  url: string | null;
  view: "image" | "file";
}

// Types every browser shows in an <img>; the server serves these inline (SVG downloads).
const THUMBNAIL_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value : null;
}

/** Only the server's own paths: never a `javascript:` or another site's URL from a payload. */
function localUrl(value: unknown): string | null {
  const url = text(value);
  return url && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

function shown(raw: Record<string, unknown>): ShownAttachment {
  const url = localUrl(raw.url);
  const label = text(raw.label);
  const type = text(raw.type);
  const contentType = text(raw.content_type) ?? text(raw.mime_type);
  const size = typeof raw.size === "number" ? raw.size : raw.file_size;
  const image =
    url !== null &&
    (type === "image" || type === "photo") &&
    (contentType === null ? type === "photo" : THUMBNAIL_TYPES.has(contentType));
  return {
    name: text(raw.name) ?? text(raw.file_name) ?? label ?? "file",
    label,
    size: typeof size === "number" && size >= 0 ? size : null,
    url,
    view: image ? "image" : "file",
  };
}

/** A message's `attachments`, whatever channel they came from (messengers add or omit fields). */
export function readAttachments(raw: unknown): ShownAttachment[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((a): a is Record<string, unknown> => typeof a === "object" && a !== null)
    .map(shown);
}

// --- icons -----------------------------------------------------------------------------

export function PaperclipIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" className="icon">
      <path
        d="M16.5 6.5 8.6 14.4a1.9 1.9 0 0 0 2.7 2.7l8-8a3.8 3.8 0 0 0-5.4-5.4l-8 8a5.7 5.7 0 0 0 8 8l7.2-7.2"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function FileIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" className="icon">
      <path
        d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zm0 0v5h5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
    </svg>
  );
}

// --- attachments in a message bubble --------------------------------------------------

function plainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
}

export function MessageAttachments({ items }: { items: ShownAttachment[] }) {
  const t = useT();
  const lang = useStore((s) => s.lang);
  const [open, setOpen] = useState<ShownAttachment | null>(null);
  return (
    <ul className="attachments" aria-label={t("attachments")}>
      {items.map((a, index) =>
        a.view === "image" && a.url ? (
          <li key={index} className="attachment attachment-image">
            <a
              href={a.url}
              target="_blank"
              rel="noopener noreferrer"
              title={a.name}
              onClick={(event) => {
                if (!plainClick(event)) return;
                event.preventDefault();
                setOpen(a);
              }}
            >
              <img src={a.url} alt={a.name} loading="lazy" />
            </a>
          </li>
        ) : (
          <li key={index} className="attachment attachment-file">
            <FileRow attachment={a} lang={lang} downloadWord={t("download")} />
          </li>
        ),
      )}
      {open && <Lightbox image={open} onClose={() => setOpen(null)} />}
    </ul>
  );
}

function FileRow({
  attachment: a,
  lang,
  downloadWord,
}: {
  attachment: ShownAttachment;
  lang: Lang;
  downloadWord: string;
}) {
  const body = (
    <>
      <FileIcon />
      <span className="attachment-name">{a.label ?? a.name}</span>
      {a.label && a.name !== a.label && <span className="attachment-detail">{a.name}</span>}
      {a.size !== null && <span className="attachment-size">{formatSize(a.size, lang)}</span>}
      {a.url && a.label && <span className="attachment-download">{downloadWord}</span>}
    </>
  );
  if (!a.url) return <span className="file-row unavailable">{body}</span>;
  return (
    <a className="file-row" href={a.url} download={a.name} title={`${downloadWord}: ${a.name}`}>
      {body}
    </a>
  );
}

function Lightbox({ image, onClose }: { image: ShownAttachment; onClose: () => void }) {
  const t = useT();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  if (!image.url) return null;
  const stop = (event: MouseEvent) => event.stopPropagation();
  return createPortal(
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={image.name} onClick={onClose}>
      <img src={image.url} alt={image.name} onClick={stop} />
      <div className="lightbox-bar" onClick={stop}>
        <span className="lightbox-name">{image.name}</span>
        <a href={image.url} target="_blank" rel="noopener noreferrer">
          {t("openInNewTab")}
        </a>
        <a href={image.url} download={image.name}>
          {t("download")}
        </a>
        <button type="button" onClick={onClose} aria-label={t("closeImage")} autoFocus>
          ×
        </button>
      </div>
    </div>,
    document.body,
  );
}

// --- the composer's uploads -------------------------------------------------------------

export type UploadError =
  | { kind: "tooLarge"; limit: number }
  | { kind: "empty" }
  | { kind: "failed"; message: string };

export interface PendingFile {
  key: number;
  name: string;
  size: number;
  /** Share of the bytes sent, 0..1 (0 until the browser reports progress). */
  progress: number;
  status: "uploading" | "done" | "failed";
  error: UploadError | null;
  attachment: Attachment | null;
}

/** Refused before upload: what the server would refuse anyway. */
export function precheck(size: number, limit = MAX_UPLOAD_BYTES): UploadError | null {
  if (size === 0) return { kind: "empty" };
  return size > limit ? { kind: "tooLarge", limit } : null;
}

/** Why an upload failed, for its chip. The server's 413 names its limit ("... 1000 bytes."),
 * which may be lower than the default. */
export function uploadError(error: unknown): UploadError {
  if (error instanceof ApiError && error.code === "file_too_large") {
    const stated = /(\d+) bytes/.exec(error.message);
    return { kind: "tooLarge", limit: stated ? Number(stated[1]) : MAX_UPLOAD_BYTES };
  }
  if (error instanceof ApiError && error.code === "empty_file") return { kind: "empty" };
  return { kind: "failed", message: error instanceof Error ? error.message : "" };
}

export function errorText(error: UploadError, lang: Lang): string {
  if (error.kind === "tooLarge") {
    return translate(lang, "fileTooLarge").replace("{limit}", formatSize(error.limit, lang));
  }
  if (error.kind === "empty") return translate(lang, "fileEmpty");
  const failed = translate(lang, "uploadFailed");
  return error.message ? `${failed}: ${error.message}` : failed;
}

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** A pasted screenshot often has no name, or a generic one: name it after the moment. */
export function pastedName(file: Blob & { name?: string }, now = new Date()): string {
  if (file.name && file.name !== "image.png") return file.name;
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ` +
    `${pad(now.getHours())}.${pad(now.getMinutes())}.${pad(now.getSeconds())}`;
  return `Pasted image ${stamp}.${EXTENSIONS[file.type] ?? "png"}`;
}

let uploadSeq = 0;

/** Files chosen for the next reply in this session: each starts uploading at once. Changing
 * the session drops them (an upload belongs to the live chat it was made in). */
export function useUploads(sessionId: number) {
  const [files, setFiles] = useState<PendingFile[]>([]);
  const aborts = useRef(new Map<number, () => void>());

  const abortAll = useCallback(() => {
    for (const abort of aborts.current.values()) abort();
    aborts.current.clear();
  }, []);

  useEffect(
    () => () => {
      abortAll();
      setFiles([]);
    },
    [sessionId, abortAll],
  );

  const update = (key: number, patch: Partial<PendingFile>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  function start(file: File, name: string): void {
    const key = ++uploadSeq;
    const refused = precheck(file.size);
    const entry: PendingFile = {
      key,
      name,
      size: file.size,
      progress: 0,
      status: refused ? "failed" : "uploading",
      error: refused,
      attachment: null,
    };
    setFiles((list) => [...list, entry]);
    if (refused) return;
    const upload = uploadFile(sessionId, file, name, (progress) => update(key, { progress }));
    aborts.current.set(key, upload.abort);
    upload.done.then(
      (attachment) => update(key, { status: "done", progress: 1, attachment }),
      (error: unknown) => {
        if (error instanceof ApiError && error.code === "aborted") return;
        update(key, { status: "failed", error: uploadError(error) });
      },
    ).finally(() => aborts.current.delete(key));
  }

  return {
    files,
    uploading: files.some((f) => f.status === "uploading"),
    ids: files.flatMap((f) => (f.attachment ? [f.attachment.id] : [])),
    add(list: Iterable<File>, name: (file: File) => string = (f) => f.name || "file") {
      for (const file of list) start(file, name(file));
    },
    remove(key: number) {
      aborts.current.get(key)?.();
      aborts.current.delete(key);
      setFiles((list) => list.filter((f) => f.key !== key));
    },
    clear() {
      abortAll();
      setFiles([]);
    },
  };
}

export function UploadChips({
  files,
  onRemove,
}: {
  files: PendingFile[];
  onRemove: (key: number) => void;
}) {
  const t = useT();
  const lang = useStore((s) => s.lang);
  if (files.length === 0) return null;
  return (
    <ul className="upload-chips" aria-label={t("attachments")}>
      {files.map((f) => (
        <li key={f.key} className={`upload-chip ${f.status}`} data-status={f.status}>
          <FileIcon />
          <span className="chip-name" title={f.name}>
            {f.name}
          </span>
          <span className="chip-size">{formatSize(f.size, lang)}</span>
          {f.status === "uploading" &&
            (f.progress > 0 ? (
              <progress max={1} value={f.progress} aria-label={t("uploading")} />
            ) : (
              <span className="spinner" role="status" aria-label={t("uploading")} />
            ))}
          {f.error && (
            <span className="chip-error" role="alert">
              {errorText(f.error, lang)}
            </span>
          )}
          <button
            type="button"
            className="chip-remove"
            aria-label={`${t("removeAttachment")}: ${f.name}`}
            title={t("removeAttachment")}
            onClick={() => onRemove(f.key)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
