import type { Metadata } from "next";
import { headers } from "next/headers";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { listConnectors } from "@/lib/connectors";
import { withUser } from "@/lib/db/with-user";
import { NotAllowed, PageHeader } from "@/components/ui";
import { ConnectionForm, type ConnectorForm } from "@/components/connection-form";
import { fieldsOf } from "@/components/connection-fields";
import { typeLabel } from "@/components/connection-status";

export const metadata: Metadata = { title: "Add a connection" };

/**
 * The address this page was reached at: the likeliest public address for a provider's callbacks
 * (M-Pesa), offered as the default; the admin changes it when Inflow is reached otherwise from outside.
 */
async function requestOrigin(): Promise<string | undefined> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host");
  if (!host) return undefined;
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() || (/^(localhost|127\.|\[::1\])/.test(host) ? "http" : "https");
  return `${proto}://${host}`;
}

export default async function NewConnectionPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "connections.manage")) return <NotAllowed what="managing connections" />;
  const accounts = await withUser(ctx.claims, async (db) => {
    const { rows } = await db.query<{ id: string; name: string; currency: string }>("select id, name, currency from public.accounts where tenant_id = $1 order by name, id", [ctx.tenantId]);
    return rows;
  });
  const origin = await requestOrigin();
  const connectors: ConnectorForm[] = listConnectors().map((c) => ({
    type: c.type,
    label: typeLabel(c.type) === c.type ? c.label : typeLabel(c.type),
    config: fieldsOf(c.configSchema, false).map((f) => (f.name === "publicUrl" && !f.defaultValue && origin ? { ...f, defaultValue: origin } : f)),
    secrets: fieldsOf(c.secretsSchema, true),
  }));
  return (
    <>
      <PageHeader title="Add a connection" description="Credentials are encrypted when saved and never shown again. After saving, test the connection and sync it." />
      <ConnectionForm connectors={connectors} accounts={accounts} />
    </>
  );
}
