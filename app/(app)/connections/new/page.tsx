import type { Metadata } from "next";
import { z } from "zod";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { listConnectors } from "@/lib/connectors";
import { withUser } from "@/lib/db/with-user";
import { NotAllowed, PageHeader } from "@/components/ui";
import { ConnectionForm, type ConnectorForm, type FieldSpec } from "@/components/connection-form";
import { typeLabel } from "@/components/connection-status";

export const metadata: Metadata = { title: "Add a connection" };

const LABELS: Record<string, string> = {
  accountId: "Account",
  host: "Host",
  hostKeySha256: "Host key fingerprint (SHA256:…)",
  settleSeconds: "Wait for files to settle (seconds)",
  filesPerBatch: "Files per batch",
  privateKey: "Private key",
  dateOrder: "Date order",
  decimalSeparator: "Decimal separator",
  baseUrl: "API address (testing only)",
  connectionString: "Connection string",
  secretKey: "Secret key",
  clientId: "Client ID",
  accessToken: "Access token",
  realmId: "Company ID (realm ID)",
  minorVersion: "API minor version",
  entities: "Entities (comma-separated)",
  tokenUrl: "Token endpoint (testing only)",
  clientSecret: "Client secret",
  refreshToken: "Refresh token",
  accessTokenExpiresAt: "Access token expires at (optional)",
  subdomain: "SuperOps subdomain",
  dataCenter: "Data centre",
  apiToken: "API token",
  lookbackDays: "Look back (days)",
  spreadsheetId: "Spreadsheet (address or id)",
  sheet: "Tab name",
  clientEmail: "Service account email (client_email)",
  shortCode: "Paybill or till number",
  publicUrl: "Inflow's public address (for Daraja's callbacks)",
};

function labelOf(name: string): string {
  return LABELS[name] ?? name.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

interface JsonProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: string;
}

/** The form's fields, generated from the connector's zod schema (through JSON Schema): one input per setting. */
function fieldsOf(schema: z.ZodType<unknown>, secret: boolean): FieldSpec[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]): FieldSpec => {
    const base = { name, label: labelOf(name), required: required.has(name), ...(p.default !== undefined ? { defaultValue: String(p.default) } : {}) };
    if (secret) return { ...base, kind: name === "privateKey" ? "secret-text" : "secret" };
    if (name === "accountId") return { ...base, kind: "account" };
    if (p.enum) return { ...base, kind: "select", options: p.enum.map(String) };
    if (p.type === "boolean") return { ...base, kind: "boolean" };
    if (p.type === "integer" || p.type === "number") return { ...base, kind: "number", ...(p.minimum !== undefined ? { min: p.minimum } : {}), ...(p.maximum !== undefined ? { max: p.maximum } : {}) };
    return { ...base, kind: name === "query" ? "text-area" : "text" };
  });
}

export default async function NewConnectionPage() {
  const ctx = await pageContext();
  if (!can(ctx.role, "connections.manage")) return <NotAllowed what="managing connections" />;
  const accounts = await withUser(ctx.claims, async (db) => {
    const { rows } = await db.query<{ id: string; name: string; currency: string }>("select id, name, currency from public.accounts where tenant_id = $1 order by name, id", [ctx.tenantId]);
    return rows;
  });
  const connectors: ConnectorForm[] = listConnectors().map((c) => ({
    type: c.type,
    label: typeLabel(c.type) === c.type ? c.label : typeLabel(c.type),
    config: fieldsOf(c.configSchema, false),
    secrets: fieldsOf(c.secretsSchema, true),
  }));
  return (
    <>
      <PageHeader title="Add a connection" description="Credentials are encrypted when saved and never shown again. After saving, test the connection and sync it." />
      <ConnectionForm connectors={connectors} accounts={accounts} />
    </>
  );
}
