import type { Metadata } from "next";
import { GatedEmptyPage } from "@/components/gated-empty-page";

export const metadata: Metadata = { title: "Connections" };

export default function ConnectionsPage() {
  return (
    <GatedEmptyPage title="Connections" permission="connections.manage" what="managing connections" empty="No connections yet">
      Connections to SFTP folders, banks and payment providers will feed the same import pipeline as uploads.
    </GatedEmptyPage>
  );
}
