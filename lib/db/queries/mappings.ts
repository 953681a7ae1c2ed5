/**
 * Account mappings (tenant, source, external id → internal account), the external accounts that staged
 * imports are waiting on, and creating internal accounts while mapping.
 */
import type { Db } from "@/lib/db/pool";

export interface AccountSuggestion {
  accountId: string;
  name: string;
  number: string;
  currency: string;
  /** Why it is suggested: the same number, the number after the bank id, or the external id ending with it. */
  reason: "same_number" | "same_account_number" | "ends_with_number";
}

export interface ExternalAccountView {
  source: string;
  externalId: string;
  /** The account number as the file states it, and the bank id when the format carries one. */
  number: string | null;
  bankId: string | null;
  currency: string | null;
  kind: string | null;
  name: string | null;
  state: "mapped" | "unmapped";
  mappedAccount: { id: string; name: string; currency: string } | null;
  /** Unmapped rows waiting on this account, in all staged imports together. */
  rowsWaiting: number;
  imports: { importId: string; fileName: string; rowsWaiting: number }[];
  suggestions: AccountSuggestion[];
}

/**
 * The external accounts named by staged imports, with their mapping state and the rows waiting on them.
 * Reads the statements of each staged import (one row per account and statement, not per transaction)
 * and counts waiting rows through staged_rows_status_idx (status = 'unmapped'). Imports whose file names
 * no account (a CSV without an account line) are not listed: they need an account chosen for the file
 * (PATCH /api/imports/:id/account), since mapping their placeholder would catch every such file.
 */
export async function listExternalAccounts(db: Db, params: { tenantId: string }): Promise<ExternalAccountView[]> {
  const { rows } = await db.query<ExternalAccountView>(
    `with staged as (
       select i.id, i.file_name, coalesce(i.profile ->> 'mappingSource', 'bank') as source
         from public.imports i
        where i.tenant_id = $1 and i.status = 'staged' and i.account_id is null
          and coalesce(i.profile -> 'parser' ->> 'accountFromFile', 'true') <> 'false'),
     seen as (
       select distinct on (s.id, st.external_account) s.id as import_id, s.file_name, s.source, st.external_account, st.account
         from staged s join public.import_statements st on st.tenant_id = $1 and st.import_id = s.id
        order by s.id, st.external_account, st.statement_no),
     per_import as (
       select seen.*,
              (select count(*) from public.staged_rows r
                where r.tenant_id = $1 and r.import_id = seen.import_id and r.status = 'unmapped' and r.external_account = seen.external_account)::int as waiting
         from seen)
     select p.source, p.external_account as "externalId",
            max(p.account ->> 'id') as number, max(p.account ->> 'bankId') as "bankId", max(p.account ->> 'currency') as currency,
            max(p.account ->> 'kind') as kind, max(p.account ->> 'name') as name,
            case when m.account_id is null then 'unmapped' else 'mapped' end as state,
            case when m.account_id is null then null
                 else jsonb_build_object('id', a.id, 'name', a.name, 'currency', a.currency) end as "mappedAccount",
            sum(p.waiting)::int as "rowsWaiting",
            jsonb_agg(jsonb_build_object('importId', p.import_id, 'fileName', p.file_name, 'rowsWaiting', p.waiting) order by p.file_name, p.import_id) as imports,
            coalesce((
              select jsonb_agg(jsonb_build_object('accountId', x.id, 'name', x.name, 'number', x.number, 'currency', x.currency,
                                                  'reason', case when x.number = p.external_account then 'same_number'
                                                                 when x.number = regexp_replace(p.external_account, '^.*/', '') then 'same_account_number'
                                                                 else 'ends_with_number' end) order by x.name)
                from public.accounts x
               where x.tenant_id = $1 and x.number is not null
                 and (x.number = p.external_account
                      or x.number = regexp_replace(p.external_account, '^.*/', '')
                      or (x.number ~ '^[0-9]{6,}$' and right(p.external_account, length(x.number)) = x.number))), '[]'::jsonb) as suggestions
       from per_import p
       left join public.account_mappings m on m.tenant_id = $1 and m.source = p.source and m.external_id = p.external_account
       left join public.accounts a on a.tenant_id = $1 and a.id = m.account_id
      group by p.source, p.external_account, m.account_id, a.id
      order by (m.account_id is null) desc, p.source, p.external_account`,
    [params.tenantId],
  );
  return rows;
}

export interface MappingRow {
  source: string;
  externalId: string;
  accountId: string;
  accountName: string;
  createdAt: Date;
}

export async function listMappings(db: Db, params: { tenantId: string }): Promise<MappingRow[]> {
  const { rows } = await db.query<MappingRow>(
    `select m.source, m.external_id as "externalId", m.account_id as "accountId", a.name as "accountName", m.created_at as "createdAt"
       from public.account_mappings m join public.accounts a on a.tenant_id = m.tenant_id and a.id = m.account_id
      where m.tenant_id = $1
      order by m.source, m.external_id`,
    [params.tenantId],
  );
  return rows;
}

export async function getMapping(
  db: Db,
  params: { tenantId: string; source: string; externalId: string; forUpdate?: boolean },
): Promise<{ accountId: string } | undefined> {
  const { rows } = await db.query<{ accountId: string }>(
    `select account_id as "accountId" from public.account_mappings where tenant_id = $1 and source = $2 and external_id = $3 ${params.forUpdate ? "for update" : ""}`,
    [params.tenantId, params.source, params.externalId],
  );
  return rows[0];
}

/** Maps (or re-maps) an external account; created_by is the caller (auth.uid() by default). */
export async function upsertMapping(db: Db, params: { tenantId: string; source: string; externalId: string; accountId: string }): Promise<void> {
  await db.query(
    `insert into public.account_mappings (tenant_id, source, external_id, account_id) values ($1, $2, $3, $4)
     on conflict (tenant_id, source, external_id) do update set account_id = excluded.account_id, created_by = auth.uid(), created_at = now()`,
    [params.tenantId, params.source, params.externalId, params.accountId],
  );
}

export async function deleteMapping(db: Db, params: { tenantId: string; source: string; externalId: string }): Promise<string | undefined> {
  const { rows } = await db.query<{ account_id: string }>(
    "delete from public.account_mappings where tenant_id = $1 and source = $2 and external_id = $3 returning account_id",
    [params.tenantId, params.source, params.externalId],
  );
  return rows[0]?.account_id;
}

/**
 * The staged imports of the tenant with rows in this external account. Found through the imports'
 * statements (every staged row's external account is its statement's), never by scanning rows.
 */
export async function stagedImportsWithExternalAccount(db: Db, params: { tenantId: string; source: string; externalId: string }): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select i.id from public.imports i
      where i.tenant_id = $1 and i.status = 'staged' and coalesce(i.profile ->> 'mappingSource', 'bank') = $2
        and exists (select 1 from public.import_statements st where st.tenant_id = i.tenant_id and st.import_id = i.id and st.external_account = $3)
      order by i.created_at, i.id`,
    [params.tenantId, params.source, params.externalId],
  );
  return rows.map((r) => r.id);
}

/** The currencies the files state for an external account (usually one; none when no file says). */
export async function externalAccountCurrencies(db: Db, params: { tenantId: string; source: string; externalId: string }): Promise<string[]> {
  const { rows } = await db.query<{ currency: string }>(
    `select distinct st.account ->> 'currency' as currency
       from public.import_statements st join public.imports i on i.tenant_id = st.tenant_id and i.id = st.import_id
      where st.tenant_id = $1 and coalesce(i.profile ->> 'mappingSource', 'bank') = $2 and st.external_account = $3 and st.account ? 'currency'
      order by 1`,
    [params.tenantId, params.source, params.externalId],
  );
  return rows.map((r) => r.currency);
}

export interface NewAccount {
  name: string;
  number?: string | null;
  currency: string;
  kind: string;
}

export interface CreatedAccount {
  id: string;
  name: string;
  number: string | null;
  currency: string;
  kind: string;
}

/** Inserts an internal account; undefined when the tenant already has one of that name. */
export async function insertAccount(db: Db, params: { tenantId: string } & NewAccount): Promise<CreatedAccount | undefined> {
  const { rows } = await db.query<CreatedAccount>(
    `insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, name) do nothing
     returning id, name, number, currency::text as currency, kind`,
    [params.tenantId, params.name, params.number ?? null, params.currency, params.kind],
  );
  return rows[0];
}
