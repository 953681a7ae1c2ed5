/**
 * Every environment setting Inflow reads, in one place. Server-only.
 * Nothing here is required: with no settings Inflow runs on the embedded Postgres and local auth.
 */
import path from "node:path";
import { z } from "zod";

export const DEFAULT_DEMO_PASSWORD = "inflow-demo";

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  /** Root of local state: embedded Postgres, raw files, generated secrets. */
  INFLOW_DATA_DIR: z.string().min(1).default(".data"),
  INFLOW_EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  INFLOW_JWT_SECRET: z.string().min(32).optional(),
  /**
   * "1" drops the Secure attribute of the session and workspace cookies in production. Browsers keep
   * Secure cookies on https and on http://localhost only, so a production build served over plain
   * HTTP on another address (`npx inflow start` on an office server without TLS) could never keep
   * anyone signed in without it. Never set it behind https.
   */
  INFLOW_INSECURE_COOKIES: z.enum(["0", "1"]).optional(),
  /**
   * "1" lets connections reach loopback, private and link-local addresses, and provider base URLs use
   * plain http to them, in production too (lib/connectors/address.ts). Off, a tenant's connection
   * settings could make Inflow call its own database or internal services; set it only when the
   * providers really are on the deployment's private network. Outside production these are allowed.
   */
  INFLOW_ALLOW_PRIVATE_PROVIDER_URLS: z.enum(["0", "1"]).optional(),
  /** Key for connection credentials at rest: base64 of 32 random bytes. Unset: generated once under the data directory. */
  INFLOW_SECRETS_KEY: z.string().min(1).optional(),
  INFLOW_DEMO_PASSWORD: z.string().min(1).default(DEFAULT_DEMO_PASSWORD),
  NEXT_PUBLIC_SUPABASE_URL: z.string().url().optional(),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  SUPABASE_STORAGE_BUCKET: z.string().min(1).default("raw-files"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof schema>;

/** The names of every setting above (each documented in README). */
export const SETTINGS = Object.keys(schema.shape) as (keyof Env)[];

let cached: Env | undefined;

export function env(): Env {
  cached ??= schema.parse(process.env);
  return cached;
}

/** Tests and the start script change the environment before anything connects; they call this after. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function dataDir(...parts: string[]): string {
  return path.resolve(env().INFLOW_DATA_DIR, ...parts);
}

export function supabaseConfigured(): boolean {
  const e = env();
  return Boolean(e.NEXT_PUBLIC_SUPABASE_URL && e.NEXT_PUBLIC_SUPABASE_ANON_KEY);
}
