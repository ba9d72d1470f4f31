import { type FormEvent, useEffect, useState } from "react";

import {
  type App,
  type LivechatDetail,
  type LivechatSummary,
  type User,
  api,
} from "../../api/client";
import { loadApps, setNotice, useStore, useT } from "../../store";
import { AppsAdmin } from "./AppsAdmin";
import { ChannelsSection } from "./Channels";
import { type Errors, Field, toErrors } from "./form";

export function AdminPage() {
  const t = useT();
  const [tab, setTab] = useState<"users" | "livechats" | "apps">("users");
  return (
    <section className="admin" aria-label={t("admin")}>
      <nav className="admin-tabs">
        <button type="button" aria-current={tab === "users"} onClick={() => setTab("users")}>
          {t("users")}
        </button>
        <button
          type="button"
          aria-current={tab === "livechats"}
          onClick={() => setTab("livechats")}
        >
          {t("livechats")}
        </button>
        <button type="button" aria-current={tab === "apps"} onClick={() => setTab("apps")}>
          {t("apps")}
        </button>
      </nav>
      {tab === "users" ? <UsersAdmin /> : tab === "livechats" ? <LivechatsAdmin /> : <AppsAdmin />}
    </section>
  );
}

// --- users ------------------------------------------------------------------------

function UsersAdmin() {
  const t = useT();
  const [users, setUsers] = useState<User[]>([]);
  const reload = () => api.users().then(setUsers, (e) => setNotice(String(e.message ?? e)));
  useEffect(() => {
    void reload();
  }, []);
  return (
    <div className="admin-body">
      <UserForm onSaved={reload} />
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t("name")}</th>
            <th>{t("email")}</th>
            <th>{t("adminRole")}</th>
            <th>{t("active")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <UserRow key={user.id} user={user} onSaved={reload} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserForm({ onSaved }: { onSaved: () => void }) {
  const t = useT();
  const [form, setForm] = useState({ email: "", name: "", password: "", is_admin: false });
  const [errors, setErrors] = useState<Errors>({});
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await api.createUser(form);
      setForm({ email: "", name: "", password: "", is_admin: false });
      setErrors({});
      onSaved();
    } catch (error) {
      setErrors(toErrors(error));
    }
  }
  return (
    <form className="admin-form" aria-label={t("createUser")} onSubmit={submit} noValidate>
      <h3>{t("createUser")}</h3>
      <Field label={t("email")} error={errors.email}>
        <input name="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <Field label={t("name")} error={errors.name}>
        <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label={t("password")} error={errors.password}>
        <input
          name="password"
          type="password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
      </Field>
      <label className="check">
        <input
          type="checkbox"
          name="is_admin"
          checked={form.is_admin}
          onChange={(e) => setForm({ ...form, is_admin: e.target.checked })}
        />
        {t("adminRole")}
      </label>
      {errors._ && <p className="error">{errors._}</p>}
      <button type="submit">{t("create")}</button>
    </form>
  );
}

function UserRow({ user, onSaved }: { user: User; onSaved: () => void }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [errors, setErrors] = useState<Errors>({});
  async function save(patch: Parameters<typeof api.updateUser>[1]) {
    try {
      await api.updateUser(user.id, patch);
      setErrors({});
      setEditing(false);
      onSaved();
    } catch (error) {
      setErrors(toErrors(error));
    }
  }
  return (
    <tr data-user-id={user.id} className={user.is_active ? "" : "inactive"}>
      <td>
        {editing ? (
          <Field label={t("name")} error={errors.name}>
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
        ) : (
          user.name
        )}
      </td>
      <td>
        {editing ? (
          <Field label={t("email")} error={errors.email}>
            <input name="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
        ) : (
          user.email
        )}
      </td>
      <td>{user.is_admin ? "✓" : ""}</td>
      <td>{user.is_active ? "✓" : "—"}</td>
      <td className="actions">
        {editing ? (
          <>
            <button type="button" onClick={() => void save({ name, email })}>
              {t("save")}
            </button>
            <button type="button" className="link" onClick={() => setEditing(false)}>
              {t("cancel")}
            </button>
          </>
        ) : (
          <button type="button" className="link" onClick={() => setEditing(true)}>
            {t("edit")}
          </button>
        )}
        <button
          type="button"
          className="link"
          onClick={() => void save({ is_active: !user.is_active })}
        >
          {user.is_active ? t("deactivate") : t("activate")}
        </button>
        {errors._ && <span className="field-error">{errors._}</span>}
      </td>
    </tr>
  );
}

// --- live chats -----------------------------------------------------------------

function LivechatsAdmin() {
  const t = useT();
  const [chats, setChats] = useState<LivechatSummary[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const reload = () => api.livechats().then(setChats, (e) => setNotice(String(e.message ?? e)));
  useEffect(() => {
    void reload();
  }, []);
  async function create(event: FormEvent) {
    event.preventDefault();
    try {
      const chat = await api.createLivechat(name);
      setName("");
      setErrors({});
      await reload();
      setSelected(chat.id);
    } catch (error) {
      setErrors(toErrors(error));
    }
  }
  return (
    <div className="admin-body admin-livechats">
      <div>
        <form className="admin-form" aria-label={t("createLivechat")} onSubmit={create} noValidate>
          <h3>{t("createLivechat")}</h3>
          <Field label={t("name")} error={errors.name}>
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          {errors._ && <p className="error">{errors._}</p>}
          <button type="submit">{t("create")}</button>
        </form>
        <ul className="admin-list">
          {chats.map((chat) => (
            <li key={chat.id}>
              <button
                type="button"
                className={chat.id === selected ? "group active" : "group"}
                data-livechat-id={chat.id}
                onClick={() => setSelected(chat.id)}
              >
                {chat.name}
              </button>
            </li>
          ))}
        </ul>
      </div>
      {selected !== null && <LivechatEditor key={selected} id={selected} onSaved={reload} />}
    </div>
  );
}

function LivechatEditor({ id, onSaved }: { id: number; onSaved: () => void }) {
  const t = useT();
  const [chat, setChat] = useState<LivechatDetail | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [name, setName] = useState("");
  const [routing, setRouting] = useState("manual");
  const [itemApp, setItemApp] = useState("");
  const [customerApp, setCustomerApp] = useState("");
  const apps = useStore((s) => s.apps);
  const [operators, setOperators] = useState<Set<number>>(new Set());
  const [supervisors, setSupervisors] = useState<Set<number>>(new Set());
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState<string | null>(null);

  function show(detail: LivechatDetail) {
    setChat(detail);
    setName(detail.name);
    setRouting(String(detail.settings.routing ?? "manual"));
    setItemApp(String(detail.settings.item_app_id ?? ""));
    setCustomerApp(String(detail.settings.customer_app_id ?? ""));
    setOperators(new Set(detail.members.filter((m) => m.roles.includes("operator")).map((m) => m.id)));
    setSupervisors(
      new Set(detail.members.filter((m) => m.roles.includes("supervisor")).map((m) => m.id)),
    );
  }
  useEffect(() => {
    api.livechat(id).then(show, (e) => setNotice(String(e.message ?? e)));
    api.users().then(setUsers, () => undefined);
    void loadApps();
  }, [id]);

  async function run(action: () => Promise<LivechatDetail | void>, okText: string) {
    try {
      const detail = await action();
      setErrors({});
      setSaved(okText);
      if (detail) show(detail);
      else show(await api.livechat(id));
      onSaved();
    } catch (error) {
      setSaved(null);
      setErrors(toErrors(error));
    }
  }

  if (!chat) return null;
  const toggle = (set: Set<number>, userId: number, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(userId);
    else next.delete(userId);
    return next;
  };
  return (
    <div className="livechat-editor" aria-label={chat.name}>
      <form
        className="admin-form"
        aria-label={t("settings")}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () =>
              api.updateLivechat(id, {
                name,
                settings: {
                  ...chat.settings,
                  routing,
                  item_app_id: itemApp ? Number(itemApp) : null,
                  customer_app_id: customerApp ? Number(customerApp) : null,
                } as never,
              }),
            t("saved"),
          );
        }}
      >
        <h3>{t("settings")}</h3>
        <Field label={t("name")} error={errors.name}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t("routing")} error={errors.routing}>
          <select name="routing" value={routing} onChange={(e) => setRouting(e.target.value)}>
            <option value="manual">manual</option>
            <option value="round_robin">round_robin</option>
            <option value="least_busy">least_busy</option>
          </select>
        </Field>
        <AppSelect
          label={t("itemApp")}
          name="item_app_id"
          value={itemApp}
          apps={apps}
          error={errors.item_app_id}
          onChange={setItemApp}
        />
        <AppSelect
          label={t("customerApp")}
          name="customer_app_id"
          value={customerApp}
          apps={apps}
          error={errors.customer_app_id}
          onChange={setCustomerApp}
        />
        {errors._ && <p className="error">{errors._}</p>}
        <button type="submit">{t("save")}</button>
        {saved && <span className="muted saved">{saved}</span>}
      </form>

      <section className="members">
        <h3>{t("members")}</h3>
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t("name")}</th>
              <th>{t("operator")}</th>
              <th>{t("supervisor")}</th>
            </tr>
          </thead>
          <tbody>
            {users
              .filter((u) => u.is_active)
              .map((user) => (
                <tr key={user.id} data-user-id={user.id}>
                  <td>{user.name}</td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${t("operator")}: ${user.name}`}
                      checked={operators.has(user.id)}
                      onChange={(e) => setOperators(toggle(operators, user.id, e.target.checked))}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${t("supervisor")}: ${user.name}`}
                      checked={supervisors.has(user.id)}
                      onChange={(e) =>
                        setSupervisors(toggle(supervisors, user.id, e.target.checked))
                      }
                    />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
        <button
          type="button"
          onClick={() =>
            void run(() => api.setMembers(id, [...operators], [...supervisors]), t("saved"))
          }
        >
          {t("saveMembers")}
        </button>
      </section>

      <ChannelsSection
        livechatId={id}
        channels={chat.channels}
        onChanged={async () => show(await api.livechat(id))}
      />
    </div>
  );
}

/** Which app a live chat's setting binds ("" for none). */
function AppSelect({
  label,
  name,
  value,
  apps,
  error,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  apps: App[];
  error?: string;
  onChange: (value: string) => void;
}) {
  const t = useT();
  return (
    <Field label={label} error={error}>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("noApp")}</option>
        {value && !apps.some((a) => String(a.id) === value) && (
          <option value={value}>#{value}</option>
        )}
        {apps.map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </select>
    </Field>
  );
}
