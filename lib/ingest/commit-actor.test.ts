/**
 * Who committed and who reverted an import is the acting user, set from the session's claims
 * (auth.uid()), never a value an API caller passes: the commit and revert paths write auth.uid(), and a
 * trigger refuses any other value from the API roles.
 */
import { describe, expect, it } from "vitest";
import { withUser } from "@/lib/db/with-user";
import { asService, asUser, createTenant, type TestUser } from "@/test/db";
import { BACKFILL_CSV, importText } from "@/test/likely-duplicates";
import { revertImport } from "./commit";

async function actors(importId: string) {
  return asService(async (db) => (await db.query<{ committed_by: string | null; reverted_by: string | null }>("select committed_by, reverted_by from public.imports where id = $1", [importId])).rows[0]!);
}

describe("committed_by and reverted_by", () => {
  it("are the acting users, and API roles cannot write anyone else into them", async () => {
    const t = await createTenant("commit-actor");
    const accountId = await asService(async (db) =>
      (await db.query<{ id: string }>("insert into public.accounts (tenant_id, name, currency, kind) values ($1, 'Operating', 'USD', 'bank') returning id", [t.id])).rows[0]!.id,
    );
    const { importId, commit } = await importText(t, t.members.uploader, "actor.csv", BACKFILL_CSV, accountId);
    expect(commit.imported).toBeGreaterThan(0);
    expect(await actors(importId)).toEqual({ committed_by: t.members.uploader.id, reverted_by: null });

    const forge = (user: TestUser, sql: string, values: unknown[]) => asUser(user, (db) => db.query(sql, values));
    // Another member's id (or a user from nowhere) written by an uploader or an admin is refused.
    for (const [user, other] of [[t.members.uploader, t.members.admin], [t.members.admin, t.members.viewer]] as const) {
      await expect(forge(user, "update public.imports set committed_by = $2 where id = $1", [importId, other.id])).rejects.toThrow(/committed_by is the user committing/);
      await expect(forge(user, "update public.imports set reverted_by = $2, reverted_at = now() where id = $1", [importId, other.id])).rejects.toThrow(/reverted_by is the user reverting/);
    }
    await expect(
      forge(t.members.uploader, "insert into public.imports (tenant_id, file_name, status, created_by, committed_by) values ($1, 'forged.csv', 'staged', $2, $3)", [t.id, t.members.uploader.id, t.members.admin.id]),
    ).rejects.toThrow(/committed_by is the user committing/);
    expect(await actors(importId)).toEqual({ committed_by: t.members.uploader.id, reverted_by: null });

    await withUser(t.members.admin.claims, (db) => revertImport(db, { tenantId: t.id, importId }));
    expect(await actors(importId)).toEqual({ committed_by: t.members.uploader.id, reverted_by: t.members.admin.id });
  });
});
