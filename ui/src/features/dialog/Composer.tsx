import {
  type ClipboardEvent,
  type KeyboardEvent,
  type RefObject,
  useEffect,
  useRef,
  useState,
} from "react";

import { api } from "../../api/client";
import { getState, refreshOpenSession, sendMessage, setNotice, useT } from "../../store";
import { PaperclipIcon, UploadChips, pastedName, useUploads } from "./Attachments";

/** Reply box: Enter sends, Shift+Enter starts a new line; the toggle makes an internal note.
 * Files come from the paperclip, a drop anywhere on the dialog, or a pasted image; each
 * uploads at once and goes out with the next reply (which may then have no text). */
export function Composer({ sessionId }: { sessionId: number }) {
  const t = useT();
  const [text, setText] = useState("");
  const [internal, setInternal] = useState(false);
  const [sending, setSending] = useState(false);
  const uploads = useUploads(sessionId);
  const form = useRef<HTMLFormElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const dragging = useDropTarget(form, sessionId, uploads.add);

  const empty = !text.trim() && uploads.ids.length === 0;

  async function send() {
    if (sending || uploads.uploading || empty) return;
    setSending(true);
    const ids = uploads.ids;
    const sent = ids.length
      ? await sendWithFiles(sessionId, text, internal, ids)
      : await sendMessage(text, internal);
    setSending(false);
    if (sent) {
      setText("");
      uploads.clear();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter that confirms an IME composition must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    // Text (even alongside a picture of it, as office apps copy) pastes as text.
    if (event.clipboardData.types.includes("text/plain")) return;
    const images = Array.from(event.clipboardData.files).filter((f) => f.type.startsWith("image/"));
    if (images.length === 0) return;
    event.preventDefault();
    uploads.add(images, (file) => pastedName(file));
  }

  return (
    <form
      ref={form}
      className={internal ? "composer internal" : "composer"}
      key={sessionId}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <UploadChips files={uploads.files} onRemove={uploads.remove} />
      <button
        type="button"
        className="attach"
        title={t("attach")}
        aria-label={t("attach")}
        onClick={() => picker.current?.click()}
      >
        <PaperclipIcon />
      </button>
      <input
        ref={picker}
        type="file"
        name="files"
        multiple
        hidden
        aria-label={t("attach")}
        onChange={(event) => {
          uploads.add(Array.from(event.target.files ?? []));
          event.target.value = "";
        }}
      />
      <textarea
        name="text"
        rows={3}
        value={text}
        placeholder={internal ? t("notePlaceholder") : t("composerPlaceholder")}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <div className="composer-actions">
        <label className="note-toggle">
          <input
            type="checkbox"
            name="internal"
            checked={internal}
            onChange={(event) => setInternal(event.target.checked)}
          />
          {t("internalNote")}
        </label>
        <button
          type="submit"
          disabled={sending || uploads.uploading || empty}
          title={uploads.uploading ? t("waitForUploads") : undefined}
        >
          {internal ? t("addNote") : t("send")}
        </button>
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          {t("dropFiles")}
        </div>
      )}
    </form>
  );
}

/** A reply or note with attachments (the store's sendMessage sends text only). */
async function sendWithFiles(
  sessionId: number,
  text: string,
  internal: boolean,
  ids: number[],
): Promise<boolean> {
  try {
    await api.sendMessage(sessionId, text, internal, ids);
  } catch (error) {
    setNotice(error instanceof Error ? error.message : String(error));
    return false;
  }
  if (getState().openSession?.id === sessionId) await refreshOpenSession();
  return true;
}

/** Files dragged over the whole dialog (the composer's section) drop into the composer. */
function useDropTarget(
  form: RefObject<HTMLFormElement | null>,
  sessionId: number,
  add: (files: File[]) => void,
): boolean {
  const [dragging, setDragging] = useState(false);
  const addFiles = useRef(add);
  addFiles.current = add;

  useEffect(() => {
    const area = form.current?.closest(".dialog");
    if (!(area instanceof HTMLElement)) return;
    const hasFiles = (event: DragEvent) => Boolean(event.dataTransfer?.types.includes("Files"));
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (!area.contains(event.relatedTarget as Node | null)) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      setDragging(false);
      if (!hasFiles(event)) return;
      event.preventDefault();
      addFiles.current(Array.from(event.dataTransfer?.files ?? []));
    };
    area.addEventListener("dragover", over);
    area.addEventListener("dragleave", leave);
    area.addEventListener("drop", drop);
    return () => {
      area.removeEventListener("dragover", over);
      area.removeEventListener("dragleave", leave);
      area.removeEventListener("drop", drop);
    };
  }, [form, sessionId]);

  return dragging;
}
