import { useEffect, useState } from "react";

import { clearSearch, openSession, revealMessage, runSearch, useStore, useT } from "../../store";
import { ChannelIcon } from "../sessions/ChannelIcon";
import { shortTime } from "../sessions/format";

const DEBOUNCE_MS = 250;

/** Chats by name; with a chat open, also that chat's messages. */
export function SearchBar() {
  const t = useT();
  const [q, setQ] = useState("");
  const search = useStore((s) => s.search);
  const openId = useStore((s) => s.openSession?.id ?? null);

  useEffect(() => {
    if (!q.trim()) {
      clearSearch();
      return;
    }
    const timer = setTimeout(() => void runSearch(q), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, openId]);

  const close = () => {
    setQ("");
    clearSearch();
  };

  return (
    <div className="search">
      <input
        type="search"
        name="q"
        value={q}
        aria-label={t("search")}
        placeholder={openId ? t("searchInChat") : t("searchChats")}
        onChange={(event) => setQ(event.target.value)}
        onKeyDown={(event) => event.key === "Escape" && close()}
      />
      {search && (
        <div className="search-results" role="region" aria-label={t("searchResults")}>
          <h4>{t("chats")}</h4>
          {search.result.sessions.length === 0 && <p className="muted">{t("nothingFound")}</p>}
          <ul>
            {search.result.sessions.map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  className="hit hit-session"
                  data-session-id={session.id}
                  onClick={() => {
                    close();
                    void openSession(session.id);
                  }}
                >
                  <ChannelIcon kind={session.channel_kind} />
                  <span className="hit-name">{session.name}</span>
                  <span className="muted">{session.status}</span>
                </button>
              </li>
            ))}
          </ul>
          {search.sessionId !== null && (
            <>
              <h4>{t("messages")}</h4>
              {(search.result.messages ?? []).length === 0 && (
                <p className="muted">{t("nothingFound")}</p>
              )}
              <ul>
                {(search.result.messages ?? []).map((message) => (
                  <li key={message.id}>
                    <button
                      type="button"
                      className="hit hit-message"
                      data-message-id={message.id}
                      onClick={() => {
                        const sessionId = search.sessionId;
                        close();
                        if (sessionId !== null && sessionId === openId) {
                          void revealMessage(message.id);
                        } else if (sessionId !== null) {
                          void openSession(sessionId, message.id);
                        }
                      }}
                    >
                      <span className="hit-text">{message.text}</span>
                      <span className="muted">
                        {message.author.name} · {shortTime(message.created_at)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
