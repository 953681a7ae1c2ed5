import { Suspense } from "react";
import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { pageContext } from "@/lib/auth/page-context";
import { can } from "@/lib/auth/permissions";
import { withUser } from "@/lib/db/with-user";
import { findAccount } from "@/lib/db/queries/accounts";
import { findImportsBySha } from "@/lib/db/queries/pipeline";
import { getImportView, type ImportView } from "@/lib/ingest/imports";
import { AppError } from "@/lib/http/errors";
import { EmptyState, PageHeader } from "@/components/ui";
import { ImportReview } from "@/components/import-review";
import { toImportJson } from "@/components/import-status";
import { AmountsChart } from "./amounts-chart";

export const metadata: Metadata = { title: "Import" };

const importId = z.string().uuid();

function NotFound() {
  return (
    <>
      <PageHeader title="Import" actions={<Link href="/imports" className="text-sm text-brand-700 underline">All imports</Link>} />
      <EmptyState title="Import not found">
        There is no such import in this workspace. It may belong to another workspace; pick one from the <Link href="/imports" className="underline">list of imports</Link>.
      </EmptyState>
    </>
  );
}

export default async function ImportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await pageContext();
  if (!importId.safeParse(id).success) return <NotFound />;
  let view: ImportView;
  try {
    view = await getImportView(ctx, id);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return <NotFound />;
    throw error;
  }
  const { account, previous } = await withUser(ctx.claims, async (db) => ({
    account: view.accountId ? await findAccount(db, { tenantId: ctx.tenantId, accountId: view.accountId }) : undefined,
    previous: view.sha256 ? await findImportsBySha(db, { tenantId: ctx.tenantId, sha256: view.sha256, excludeId: view.id }) : [],
  }));

  return (
    <>
      <PageHeader
        title={view.fileName}
        description="Review before import: what the file holds, what commit will do with each row, and what blocks it."
        actions={<Link href="/imports" className="text-sm text-brand-700 underline">All imports</Link>}
      />
      <ImportReview
        initial={toImportJson(view)}
        canAct={can(ctx.role, "imports.create")}
        accountName={account ? `${account.name} (${account.currency})` : null}
        previousImports={previous.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() }))}
        chart={
          view.dryRun ? (
            <Suspense fallback={<p className="text-sm text-slate-500">Drawing amounts over time…</p>}>
              <AmountsChart ctx={ctx} importId={view.id} />
            </Suspense>
          ) : null
        }
      />
    </>
  );
}
