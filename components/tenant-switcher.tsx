"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

interface Option { slug: string; name: string; role: string }

export function TenantSwitcher({ current, options }: { current: string; options: Option[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  if (options.length < 2) {
    const only = options[0];
    return <div className="px-3 text-sm font-medium text-slate-800">{only?.name}</div>;
  }
  async function switchTo(slug: string) {
    setError(null);
    const response = await fetch("/api/auth/tenant", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug }),
    });
    if (!response.ok) {
      setError("Could not switch workspace.");
      return;
    }
    router.refresh();
  }
  return (
    <div className="px-3">
      <label htmlFor="tenant" className="block text-xs font-medium uppercase tracking-wide text-slate-500">Workspace</label>
      <select id="tenant" value={current} onChange={(e) => void switchTo(e.target.value)}
        className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
        {options.map((o) => (
          <option key={o.slug} value={o.slug}>{o.name} ({o.role})</option>
        ))}
      </select>
      {error && <p role="alert" className="mt-1 text-xs text-red-700">{error}</p>}
    </div>
  );
}
