import type { LivechatDetail } from "../../api/client";

/** What the live chat's settings bind (PRODUCT.md, "Dialog, customer panel, apps"): an item
 * app gives a "Create item" button; a customer app, when customers also write from a
 * messenger (any channel but the website widget), an Account section. */
export function boundApps(
  detail: Pick<LivechatDetail, "settings" | "channels"> | null,
): { item: boolean; customer: boolean } {
  const settings = detail?.settings ?? {};
  const messenger = (detail?.channels ?? []).some((c) => c.kind !== "widget");
  return {
    item: settings.item_app_id != null,
    customer: settings.customer_app_id != null && messenger,
  };
}
