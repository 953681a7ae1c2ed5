import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { connectorFor } from "@/lib/connectors";
import { connectionDetail } from "@/lib/connectors/manage";
import { withUser } from "@/lib/db/with-user";
import { AppError } from "@/lib/http/errors";
import { NotAllowed } from "@/components/ui";
import { ConnectionDetail } from "@/components/connection-detail";
import { fieldsOf } from "@/components/connection-fields";
import { CallbackAddresses, ConnectionSettings } from "@/components/connection-manage";

export const metadata: Metadata = { title: "Connection" };

/** A stored setting as its input shows it (QuickBooks entities are a comma-separated list). */
function inputValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await pageContext();
  if (!can(ctx.role, "connections.manage")) return <NotAllowed what="managing connections" />;
  const { id } = await params;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) notFound();
  // Only the tenant's admins get here, and connectionDetail checks again (through RLS) before it builds the callback addresses.
  const detail = await connectionDetail(ctx, id).catch((error: unknown) => {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  });
  if (!detail) notFound();
  const connector = connectorFor(detail.type);
  const config = fieldsOf(connector.configSchema, false);
  const accounts = await withUser(ctx.claims, async (db) => {
    const { rows } = await db.query<{ id: string; name: string; currency: string }>("select id, name, currency from public.accounts where tenant_id = $1 order by name, id", [ctx.tenantId]);
    return rows;
  });
  return (
    <>
      <ConnectionDetail id={id} name={detail.name}>
        {detail.callbacks && <CallbackAddresses addresses={detail.callbacks} />}
      </ConnectionDetail>
      <ConnectionSettings
        id={id}
        name={detail.name}
        schedule={detail.schedule}
        config={config}
        secrets={fieldsOf(connector.secretsSchema, true)}
        values={Object.fromEntries(config.map((f) => [f.name, inputValue(detail.config[f.name])]))}
        accounts={accounts}
      />
    </>
  );
}
