import { type KeyboardEvent, useState } from "react";

import { sendMessage, useT } from "../../store";

/** Reply box: Enter sends, Shift+Enter starts a new line; the toggle makes an internal note. */
export function Composer({ sessionId }: { sessionId: number }) {
  const t = useT();
  const [text, setText] = useState("");
  const [internal, setInternal] = useState(false);
  const [sending, setSending] = useState(false);

  async function send() {
    if (sending || !text.trim()) return;
    setSending(true);
    const sent = await sendMessage(text, internal);
    setSending(false);
    if (sent) setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter that confirms an IME composition must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form
      className={internal ? "composer internal" : "composer"}
      key={sessionId}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        name="text"
        rows={3}
        value={text}
        placeholder={internal ? t("notePlaceholder") : t("composerPlaceholder")}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
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
        <button type="submit" disabled={sending || !text.trim()}>
          {internal ? t("addNote") : t("send")}
        </button>
      </div>
    </form>
  );
}
