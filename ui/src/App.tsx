import { useEffect } from "react";

import { LoginForm } from "./features/auth/LoginForm";
import { BlueCounter, RedCounter } from "./features/counters/Counters";
import { Dialog } from "./features/dialog/Dialog";
import { LivechatMenu } from "./features/livechats/LivechatMenu";
import { useEventStream } from "./features/realtime/useEventStream";
import { SessionList } from "./features/sessions/SessionList";
import { StatusSelect } from "./features/status/StatusSelect";
import { loadMe, logout, setLang, setNotice, useStore, useT } from "./store";

export function App() {
  const authChecked = useStore((s) => s.authChecked);
  const loggedIn = useStore((s) => s.me !== null);

  useEffect(() => {
    void loadMe();
  }, []);
  useEventStream(loggedIn);

  if (!authChecked) return null;
  return (
    <>
      <Notice />
      {loggedIn ? <Workspace /> : <LoginForm />}
    </>
  );
}

function Workspace() {
  const t = useT();
  const me = useStore((s) => s.me);
  const connection = useStore((s) => s.connection);
  const lang = useStore((s) => s.lang);

  return (
    <div className="workspace">
      {connection === "reconnecting" && (
        <div className="banner" role="status">
          {t("reconnecting")}
        </div>
      )}
      <header className="topbar">
        <strong className="brand">{t("appName")}</strong>
        <RedCounter />
        <span className="spacer" />
        <StatusSelect />
        <select
          aria-label={t("language")}
          value={lang}
          onChange={(event) => setLang(event.target.value === "ru" ? "ru" : "en")}
        >
          <option value="en">EN</option>
          <option value="ru">RU</option>
        </select>
        <span className="user">{me?.name ?? me?.email}</span>
        <button type="button" className="link" onClick={() => void logout()}>
          {t("signOut")}
        </button>
      </header>
      <aside className="sidebar">
        <LivechatMenu />
      </aside>
      <section className="sessions">
        <SessionList />
      </section>
      <Dialog />
      <footer className="bottombar">
        <BlueCounter />
      </footer>
    </div>
  );
}

function Notice() {
  const notice = useStore((s) => s.notice);
  if (!notice) return null;
  return (
    <div className="notice" role="alert">
      <span>{notice}</span>
      <button type="button" className="link" aria-label="Dismiss" onClick={() => setNotice(null)}>
        ×
      </button>
    </div>
  );
}
