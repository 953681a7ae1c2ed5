/**
 * Step 4, account mapping. An external account (bank + account number, IBAN, M-Pesa number…) resolves to
 * an internal account through account_mappings; an admin maps it once (to an existing account or one
 * created on the spot) and every staged import waiting on it is re-classified at once, as every later
 * import is, since classification reads the mappings. A file that names no account (a CSV) gets the
 * account chosen for it instead. Every change writes an audit row in the same transaction.
 */
import { z } from "zod";
import type { TenantContext } from "@/lib/auth/context";
import type { Db } from "@/lib/db/pool";
import { withUser } from "@/lib/db/with-user";
import { findAccount, listAccounts, type InternalAccount } from "@/lib/db/queries/accounts";
import { writeAudit } from "@/lib/db/queries/audit";
import { getImport } from "@/lib/db/queries/pipeline";
import {
  deleteMapping,
  externalAccountCurrencies,
  getMapping,
  insertAccount,
  listExternalAccounts,
  listMappings,
  stagedImportsWithExternalAccount,
  upsertMapping,
  type CreatedAccount,
  type ExternalAccountView,
  type MappingRow,
} from "@/lib/db/queries/mappings";
import { currencyCode } from "@/lib/schemas/canonical";
import { AppError, notFound } from "@/lib/http/errors";
import { NO_ACCOUNT_IN_FILE } from "./sources";
import { classifyImport, dryRun, type DryRun } from "./classify";
import { lockImportForReview } from "./review";

type Caller = Pick<TenantContext, "claims" | "tenantId">;

export const ACCOUNT_KINDS = ["bank", "mobile_money", "card", "cash", "clearing", "other"] as const;

export const newAccountInput = z.object({
  name: z.string().trim().min(1, "give the account a name").max(200, "use at most 200 characters"),
  number: z.string().trim().max(100).nullish().transform((v) => (v ? v : null)),
  currency: z.string().trim().toUpperCase().pipe(currencyCode),
  kind: z.enum(ACCOUNT_KINDS).default("bank"),
});
export type NewAccountInput = z.infer<typeof newAccountInput>;

/** bank (every bank statement format), mpesa, or a connector's own namespace. */
export const mappingSourceInput = z.string().regex(/^(bank|mpesa|connector:[a-z0-9_-]+)$/, "expected bank, mpesa or connector:<name>");

export const mappingKey = z.object({ source: mappingSourceInput, externalId: z.string().trim().min(1, "name the external account").max(200) });

export const createMappingInput = z.union([
  mappingKey.extend({ accountId: z.string().uuid("choose an account that exists in this workspace") }).strict(),
  mappingKey.extend({ newAccount: newAccountInput }).strict(),
]);
export type CreateMappingInput = z.infer<typeof createMappingInput>;

export function accountsWithBalances(ctx: Caller): Promise<InternalAccount[]> {
  return withUser(ctx.claims, (db) => listAccounts(db, { tenantId: ctx.tenantId }));
}

async function createAccountIn(db: Db, tenantId: string, input: NewAccountInput): Promise<CreatedAccount> {
  const account = await insertAccount(db, { tenantId, ...input });
  if (!account) throw new AppError(409, "account_exists", `There is already an account named "${input.name}". Choose it, or give the new one another name.`);
  await writeAudit(db, { tenantId, action: "account.create", entity: "account", entityId: account.id, after: account });
  return account;
}

export function createAccount(ctx: Caller, input: NewAccountInput): Promise<CreatedAccount> {
  return withUser(ctx.claims, (db) => createAccountIn(db, ctx.tenantId, input));
}

export function externalAccounts(ctx: Caller): Promise<ExternalAccountView[]> {
  return withUser(ctx.claims, (db) => listExternalAccounts(db, { tenantId: ctx.tenantId }));
}

export function mappings(ctx: Caller): Promise<MappingRow[]> {
  return withUser(ctx.claims, (db) => listMappings(db, { tenantId: ctx.tenantId }));
}

/** Re-classifies every staged import with rows in this external account; returns their ids. */
async function reclassifyWaiting(db: Db, params: { tenantId: string; source: string; externalId: string }): Promise<string[]> {
  const importIds = await stagedImportsWithExternalAccount(db, params);
  for (const importId of importIds) await classifyImport(db, { tenantId: params.tenantId, importId });
  return importIds;
}

export interface MappingResult {
  source: string;
  externalId: string;
  account: { id: string; name: string; currency: string };
  /** The staged imports re-classified because they have rows in this external account. */
  reclassified: string[];
}

/** Maps an external account in the caller's transaction (creating the internal account if asked). */
export async function mapExternalAccount(db: Db, tenantId: string, input: CreateMappingInput): Promise<MappingResult> {
  const { source, externalId } = input;
  if (source === "bank" && NO_ACCOUNT_IN_FILE.has(externalId)) {
    throw new AppError(422, "validation", `externalId: "${externalId}" means the file names no account. Choose the account for that file on its import page instead of mapping it.`);
  }
  const account =
    "newAccount" in input ? await createAccountIn(db, tenantId, input.newAccount) : await findAccount(db, { tenantId, accountId: input.accountId });
  if (!account) throw new AppError(422, "validation", "accountId: choose an account that exists in this workspace.");
  const currencies = await externalAccountCurrencies(db, { tenantId, source, externalId });
  const other = currencies.find((c) => c !== account.currency);
  if (other) {
    throw new AppError(
      422,
      "currency_mismatch",
      `The external account ${externalId} is in ${other} but "${account.name}" is in ${account.currency}. Map it to an account in ${other}, or create one.`,
    );
  }
  const previous = await getMapping(db, { tenantId, source, externalId, forUpdate: true });
  await upsertMapping(db, { tenantId, source, externalId, accountId: account.id });
  await writeAudit(db, {
    tenantId,
    action: "mapping.create",
    entity: "account_mapping",
    entityId: `${source}:${externalId}`,
    before: previous ? { accountId: previous.accountId } : null,
    after: { source, externalId, accountId: account.id, accountName: account.name },
  });
  const reclassified = await reclassifyWaiting(db, { tenantId, source, externalId });
  return { source, externalId, account: { id: account.id, name: account.name, currency: account.currency }, reclassified };
}

export function createMapping(ctx: Caller, input: CreateMappingInput): Promise<MappingResult> {
  return withUser(ctx.claims, (db) => mapExternalAccount(db, ctx.tenantId, input));
}

/** Removes a mapping; the staged imports using it go back to waiting on the account. */
export function removeMapping(ctx: Caller, input: z.infer<typeof mappingKey>): Promise<{ source: string; externalId: string; reclassified: string[] }> {
  return withUser(ctx.claims, async (db) => {
    const accountId = await deleteMapping(db, { tenantId: ctx.tenantId, ...input });
    if (!accountId) throw notFound(`A mapping of ${input.externalId}`);
    await writeAudit(db, {
      tenantId: ctx.tenantId,
      action: "mapping.delete",
      entity: "account_mapping",
      entityId: `${input.source}:${input.externalId}`,
      before: { source: input.source, externalId: input.externalId, accountId },
      after: null,
    });
    const reclassified = await reclassifyWaiting(db, { tenantId: ctx.tenantId, ...input });
    return { ...input, reclassified };
  });
}

/**
 * The internal account chosen for a whole file that names none (a CSV export); null goes back to the
 * account mappings. Only while the import is in review.
 */
export function setImportAccount(ctx: Caller, importId: string, accountId: string | null): Promise<{ importId: string; accountId: string | null; dryRun: DryRun }> {
  return withUser(ctx.claims, async (db) => {
    const { tenantId } = ctx;
    await lockImportForReview(db, { tenantId, importId });
    const account = accountId ? await findAccount(db, { tenantId, accountId }) : null;
    if (accountId && !account) throw new AppError(422, "validation", "accountId: choose an account that exists in this workspace.");
    const before = (await getImport(db, { tenantId, importId }))?.accountId ?? null;
    await db.query("update public.imports set account_id = $3, updated_at = now() where tenant_id = $1 and id = $2", [tenantId, importId, accountId]);
    await writeAudit(db, {
      tenantId,
      action: "import.account",
      entity: "import",
      entityId: importId,
      before: { accountId: before },
      after: { accountId, accountName: account?.name ?? null },
    });
    await classifyImport(db, { tenantId, importId });
    return { importId, accountId, dryRun: await dryRun(db, { tenantId, importId }) };
  });
}
