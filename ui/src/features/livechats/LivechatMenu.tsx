import type { Group } from "../../api/client";
import { selectGroup, useStore, useT } from "../../store";
import { GROUP_LABELS, groupCountText, groupsForRoles } from "./groups";

/** The left menu: every live chat of the user, with its groups by role and their sizes. */
export function LivechatMenu() {
  const t = useT();
  const livechats = useStore((s) => s.me?.livechats ?? []);
  const selection = useStore((s) => s.selection);
  const counters = useStore((s) => s.counters);
  const groupSizes = useStore((s) => s.groupSizes);

  if (livechats.length === 0) return <p className="muted">{t("noLivechats")}</p>;
  return (
    <nav className="livechat-menu">
      {livechats.map((livechat) => {
        const perChat = counters?.livechats?.[String(livechat.id)];
        const sizes = groupSizes[livechat.id];
        return (
          <section key={livechat.id} className="livechat">
            <h2>{livechat.name}</h2>
            <ul>
              {groupsForRoles(livechat.roles).map((group) => {
                const active =
                  selection?.livechatId === livechat.id && selection.group === group;
                // The queue's size comes with every counters event; the others on refetch.
                const size = group === "unassigned" ? perChat?.unassigned : sizes?.[group];
                const unread = group === "mine" ? (perChat?.unread_sessions ?? 0) : 0;
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
                      {typeof size === "number" && (
                        <span
                          className={countClass(group, size, unread)}
                          title={unread > 0 ? `${t("unreadChats")}: ${unread}` : undefined}
                        >
                          {groupCountText(size)}
                        </span>
                      )}
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

/** My chats turn red while one has unread messages; a waiting queue shows blue. */
function countClass(group: Group, size: number, unread: number): string {
  if (unread > 0) return "count unread";
  if (group === "unassigned" && size > 0) return "count waiting";
  return size > 0 ? "count" : "count zero";
}
