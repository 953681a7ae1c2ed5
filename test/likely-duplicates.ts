/**
 * A real likely-duplicate situation for the duplicate queue's tests: a CSV backfill committed into an
 * account, then the same transactions as an OFX download (the bank's own wording and casing, dates one
 * day later, their own FITIDs) plus one genuinely new transaction — run through the same pipeline as
 * `inflow import` (store, stage, commit under the user's claims).
 */
import { Readable } from "node:stream";
import { withUser } from "@/lib/db/with-user";
import { commitImport, type CommitResult } from "@/lib/ingest/commit";
import { runParseJob } from "@/lib/ingest/jobs";
import { createImportFromStoredFile } from "@/lib/ingest/upload";
import { rawFileStore } from "@/lib/storage/raw-store";
import { asService, asUser, createTenant, createUser, type TestTenant, type TestUser } from "./db";

export const BACKFILL_CSV = `Date,Description,Counterparty,Amount,Currency
2025-03-03,Coffee beans wholesale order,Bean Co,-120.50,USD
2025-03-05,Office rent March,Landlord Properties LLC,-2000.00,USD
2025-03-07,Client payment INV-1001,Acme Corporation,1500.00,USD
2025-03-10,Internet subscription,FiberNet Inc,-89.99,USD
2025-03-12,Stationery and printer paper,Paper Plus,-45.20,USD
2025-03-14,Monthly account fee,,-5.00,USD
`;

interface OfxLine {
  date: string;
  amount: string;
  fitid: string;
  name: string;
  memo: string;
}

/** The held rows, in file order: each is the CSV row above it, a day later, in the bank's words. */
export const OFX_LINES: OfxLine[] = [
  { date: "20250304", amount: "-120.50", fitid: "FIT-0001", name: "BEAN CO", memo: "COFFEE BEANS WHOLESALE" },
  { date: "20250306", amount: "-2000.00", fitid: "FIT-0002", name: "LANDLORD PROPERTIES", memo: "OFFICE RENT - MARCH" },
  { date: "20250308", amount: "1500.00", fitid: "FIT-0003", name: "ACME CORP", memo: "CLIENT PAYMENT INV 1001" },
  { date: "20250311", amount: "-89.99", fitid: "FIT-0004", name: "FIBERNET", memo: "INTERNET SUBSCRIPTION" },
  { date: "20250313", amount: "-45.20", fitid: "FIT-0005", name: "PAPER PLUS", memo: "STATIONERY / PRINTER PAPER" },
  // Genuinely new: nothing like it in the backfill.
  { date: "20250320", amount: "-300.00", fitid: "FIT-0006", name: "NORTHSIDE CONSULTING", memo: "ADVISORY SERVICES" },
];
export const HELD = 5;

export function ofxStatement(lines: readonly OfxLine[]): string {
  const transactions = lines
    .map((l) => `<STMTTRN>\n<TRNTYPE>${l.amount.startsWith("-") ? "DEBIT" : "CREDIT"}\n<DTPOSTED>${l.date}\n<TRNAMT>${l.amount}\n<FITID>${l.fitid}\n<NAME>${l.name}\n<MEMO>${l.memo}\n</STMTTRN>`)
    .join("\n");
  return `OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20250321120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS>
<CURDEF>USD
<BANKACCTFROM><BANKID>021000021<ACCTID>7700123<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>20250301
<DTEND>20250321
${transactions}
</BANKTRANLIST>
</STMTRS>
</STMTTRNRS></BANKMSGSRSV1>
</OFX>
`;
}

export interface ImportOutcome {
  importId: string;
  commit: CommitResult;
}

/** `inflow import`, step by step: store the bytes, create the import, parse and stage, commit. */
export async function importText(tenant: TestTenant, user: TestUser, fileName: string, text: string, accountId: string): Promise<ImportOutcome> {
  const ctx = { claims: user.claims, tenantId: tenant.id };
  const stored = await (await rawFileStore()).put(tenant.id, Readable.from([Buffer.from(text, "utf8")]));
  const { importId } = await createImportFromStoredFile(ctx, { fileName, stored, fields: { accountId }, source: "cli" }, { enqueueParse: false });
  await runParseJob({ ...ctx, importId });
  const commit = await withUser(user.claims, (db) => commitImport(db, { tenantId: tenant.id, importId }));
  return { importId, commit };
}

export interface DuplicateScenario {
  tenant: TestTenant;
  /** A second reviewer, for decisions racing the first. */
  reviewer2: TestUser;
  accountId: string;
  csvImportId: string;
  ofxImportId: string;
  ofxCommit: CommitResult;
  /** Candidate ids in OFX file order (FIT-0001 … FIT-0005). */
  candidateIds: number[];
}

export async function likelyDuplicateScenario(label: string): Promise<DuplicateScenario> {
  const tenant = await createTenant(label);
  const reviewer2 = await createUser(`${label}-reviewer2`);
  const accountId = await asService(async (db) => {
    await db.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'reviewer')", [tenant.id, reviewer2.id]);
    const { rows } = await db.query<{ id: string }>(
      "insert into public.accounts (tenant_id, name, number, currency, kind) values ($1, 'Operating account', '7700123', 'USD', 'bank') returning id",
      [tenant.id],
    );
    return rows[0]!.id;
  });
  const csv = await importText(tenant, tenant.members.uploader, "backfill-march.csv", BACKFILL_CSV, accountId);
  const ofx = await importText(tenant, tenant.members.uploader, "bank-march.ofx", ofxStatement(OFX_LINES), accountId);
  const candidateIds = await asUser(tenant.members.viewer, async (db) => {
    const { rows } = await db.query<{ id: string }>(
      "select id::text as id from public.duplicate_candidates where tenant_id = $1 and import_id = $2 order by row_no",
      [tenant.id, ofx.importId],
    );
    return rows.map((r) => Number(r.id));
  });
  return { tenant, reviewer2, accountId, csvImportId: csv.importId, ofxImportId: ofx.importId, ofxCommit: ofx.commit, candidateIds };
}

/** The ledger of the scenario's account: how many rows each import has in it. */
export async function ledgerCounts(s: DuplicateScenario): Promise<{ total: number; fromCsv: number; fromOfx: number }> {
  return asService(async (db) => {
    const { rows } = await db.query<{ total: number; from_csv: number; from_ofx: number }>(
      `select count(*)::int as total,
              (count(*) filter (where import_id = $2))::int as from_csv,
              (count(*) filter (where import_id = $3))::int as from_ofx
         from public.transactions where tenant_id = $1`,
      [s.tenant.id, s.csvImportId, s.ofxImportId],
    );
    const r = rows[0]!;
    return { total: r.total, fromCsv: r.from_csv, fromOfx: r.from_ofx };
  });
}
