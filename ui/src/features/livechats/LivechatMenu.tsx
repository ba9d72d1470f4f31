import { selectGroup, useStore, useT } from "../../store";
import { GROUP_LABELS, groupsForRoles } from "./groups";

/** The left menu: every live chat of the user, with its groups by role. */
export function LivechatMenu() {
  const t = useT();
  const livechats = useStore((s) => s.me?.livechats ?? []);
  const selection = useStore((s) => s.selection);
  const counters = useStore((s) => s.counters);

  if (livechats.length === 0) return <p className="muted">{t("noLivechats")}</p>;
  return (
    <nav className="livechat-menu">
      {livechats.map((livechat) => {
        const perChat = counters?.livechats?.[String(livechat.id)];
        return (
          <section key={livechat.id} className="livechat">
            <h2>{livechat.name}</h2>
            <ul>
              {groupsForRoles(livechat.roles).map((group) => {
                const active =
                  selection?.livechatId === livechat.id && selection.group === group;
                const badge =
                  group === "unassigned" ? perChat?.unassigned : group === "mine" ? perChat?.unread_sessions : undefined;
                return (
                  <li key={group}>
                    <button
                      type="button"
                      className={active ? "group active" : "group"}
                      aria-current={active ? "true" : undefined}
                      data-group={group}
                      onClick={() => selectGroup(livechat.id, group)}
                    >
                      {t(GROUP_LABELS[group])}
                      {badge ? <span className="count">{badge}</span> : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </nav>
  );
}
