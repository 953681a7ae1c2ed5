import type { Metadata } from "next";
import { GatedEmptyPage } from "@/components/gated-empty-page";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditLogPage() {
  return (
    <GatedEmptyPage title="Audit log" permission="audit.read" what="viewing the audit log" empty="No actions recorded yet">
      Uploads, corrections, mappings, commits and decisions will be listed here with who did them and when.
    </GatedEmptyPage>
  );
}
