/**
 * The connection forms' fields, generated on the server from a connector's zod schemas (through JSON
 * Schema): one input per setting or credential, with a label people read. Shared by the new-connection
 * page and the connection page (edit settings, replace credentials).
 */
import { z } from "zod";
import type { FieldSpec } from "./connection-form";

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
  accessTokenExpiresAt: "Access token expires at",
  subdomain: "SuperOps subdomain",
  dataCenter: "Data centre",
  apiToken: "API token",
  lookbackDays: "Look back (days)",
  spreadsheetId: "Spreadsheet (address or id)",
  sheet: "Tab name",
  clientEmail: "Service account email (client_email)",
  shortCode: "Paybill or till number",
  publicUrl: "Inflow's public address (for Daraja's callbacks)",
  responseType: "If Daraja cannot reach the validation address",
  pattern: "File pattern",
  idColumn: "ID column",
  idPrefix: "ID prefix",
  // The provider-side account every row belongs to when no column names it (Sheets, SQL).
  account: "Source account name (without an account column)",
  externalAccount: "Source account name (without an account column)",
  currency: "Currency (three-letter code)",
};

/** Examples shown in empty inputs, where the expected shape is not obvious from the label. */
const PLACEHOLDERS: Record<string, string> = {
  connectionString: "postgres://user:password@host:5432/db or mysql://user:password@host:3306/db",
  publicUrl: "https://inflow.example.com",
  spreadsheetId: "https://docs.google.com/spreadsheets/d/…",
  shortCode: "e.g. 600984",
  subdomain: "e.g. acme (from acme.superops.ai)",
  hostKeySha256: "SHA256:…",
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
export function fieldsOf(schema: z.ZodType<unknown>, secret: boolean): FieldSpec[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]): FieldSpec => {
    const placeholder = PLACEHOLDERS[name];
    const base = { name, label: labelOf(name), required: required.has(name), ...(p.default !== undefined ? { defaultValue: String(p.default) } : {}), ...(placeholder ? { placeholder } : {}) };
    if (secret) return { ...base, kind: name === "privateKey" ? "secret-text" : "secret" };
    if (name === "accountId") return { ...base, kind: "account" };
    if (p.enum) return { ...base, kind: "select", options: p.enum.map(String) };
    if (p.type === "boolean") return { ...base, kind: "boolean" };
    if (p.type === "integer" || p.type === "number") return { ...base, kind: "number", ...(p.minimum !== undefined ? { min: p.minimum } : {}), ...(p.maximum !== undefined ? { max: p.maximum } : {}) };
    return { ...base, kind: name === "query" ? "text-area" : "text" };
  });
}

