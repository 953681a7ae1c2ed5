import type { ReactNode } from "react";
import { pageContext } from "@/lib/auth/page-context";
import { can, type Permission } from "@/lib/auth/permissions";
import { EmptyState, NotAllowed, PageHeader } from "./ui";

/** A page whose feature has no data yet: refuses roles without the permission, else a friendly empty state. */
export async function GatedEmptyPage(props: { title: string; permission: Permission; what: string; empty: string; children: ReactNode }) {
  const ctx = await pageContext();
  if (!can(ctx.role, props.permission)) return <NotAllowed what={props.what} />;
  return (
    <>
      <PageHeader title={props.title} />
      <EmptyState title={props.empty}>{props.children}</EmptyState>
    </>
  );
}
