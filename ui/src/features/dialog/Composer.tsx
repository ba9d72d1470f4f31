import { type KeyboardEvent, useState } from "react";

import { sendMessage, useT } from "../../store";

/** Reply box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ sessionId }: { sessionId: number }) {
  const t = useT();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);

  async function send() {
    if (sending || !text.trim()) return;
    setSending(true);
    const sent = await sendMessage(text);
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
      className="composer"
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
        placeholder={t("composerPlaceholder")}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={sending || !text.trim()}>
        {t("send")}
      </button>
    </form>
  );
}
