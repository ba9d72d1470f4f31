import { useEffect } from "react";

import { LoginForm } from "./features/auth/LoginForm";
import { AdminPage } from "./features/admin/AdminPage";
import { AppsPage } from "./features/apps/AppsPage";
import { ItemWindow } from "./features/apps/ItemWindow";
import { Toasts } from "./features/alerts/Toasts";
import { BlueCounter, MuteToggle, RedCounter } from "./features/counters/Counters";
import { CustomerPanel } from "./features/customer/CustomerPanel";
import { Dialog } from "./features/dialog/Dialog";
import { useHashLinks } from "./features/links/useHashLinks";
import { LivechatMenu } from "./features/livechats/LivechatMenu";
import { useEventStream } from "./features/realtime/useEventStream";
import { SearchBar } from "./features/search/SearchBar";
import { SessionList } from "./features/sessions/SessionList";
import { StatusSelect } from "./features/status/StatusSelect";
import {
  loadMe,
  logout,
  setLang,
  setNotice,
  setView,
  showAppsView,
  useStore,
  useT,
} from "./store";

export function App() {
  const authChecked = useStore((s) => s.authChecked);
  const loggedIn = useStore((s) => s.me !== null);

  useEffect(() => {
    void loadMe();
  }, []);
  useEventStream(loggedIn);
  useHashLinks(loggedIn);

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
  const view = useStore((s) => (s.view === "admin" && !s.me?.is_admin ? "workspace" : s.view));

  return (
    <div className={view === "workspace" ? "workspace" : "workspace admin-view"}>
      {connection === "reconnecting" && (
        <div className="banner" role="status">
          {t("reconnecting")}
        </div>
      )}
      <header className="topbar">
        <strong className="brand">{t("appName")}</strong>
        <RedCounter />
        <SearchBar />
        <span className="spacer" />
        <button
          type="button"
          className="link apps-link"
          onClick={() => (view === "apps" ? setView("workspace") : showAppsView())}
        >
          {view === "apps" ? t("workspace") : t("apps")}
        </button>
        {me?.is_admin && (
          <button
            type="button"
            className="link admin-link"
            onClick={() => setView(view === "admin" ? "workspace" : "admin")}
          >
            {view === "admin" ? t("workspace") : t("admin")}
          </button>
        )}
        <MuteToggle />
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
      {view === "admin" ? (
        <AdminPage />
      ) : view === "apps" ? (
        <AppsPage />
      ) : (
        <>
          <aside className="sidebar">
            <LivechatMenu />
          </aside>
          <section className="sessions">
            <SessionList />
          </section>
          <Dialog />
          <CustomerPanel />
        </>
      )}
      <ItemWindow />
      <Toasts />
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
