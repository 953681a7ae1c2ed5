import { tenantRoute } from "@/lib/http/route";
import { getNotificationSettings, setNotificationSettings } from "@/lib/connectors/notify";

/** The tenant's webhook for "a connection keeps failing" messages: { webhookUrl } (admins). */
export const GET = tenantRoute("connections.manage", async (ctx) => Response.json(await getNotificationSettings(ctx)));

/** Sets or clears (null or "") the webhook URL: { webhookUrl }. */
export const PUT = tenantRoute("connections.manage", async (ctx) => {
  const body: unknown = await ctx.request.json().catch(() => null);
  return Response.json(await setNotificationSettings(ctx, body));
});
