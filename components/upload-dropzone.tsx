"use client";

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useDropzone } from "react-dropzone";

interface UploadResult {
  importId: string;
  rowsRead: number;
  rowsImported: number;
  rowsInvalid: number;
  issues: { line: number; field?: string; message: string }[];
}

async function upload(file: File, accountId: string): Promise<UploadResult> {
  const body = new FormData();
  body.set("file", file);
  body.set("accountId", accountId);
  const response = await fetch("/api/uploads", { method: "POST", body });
  const json = (await response.json().catch(() => null)) as (UploadResult & { error?: { message: string } }) | null;
  if (!response.ok || !json) throw new Error(json?.error?.message ?? `The upload failed (HTTP ${response.status}).`);
  return json;
}

export function UploadDropzone({ accounts }: { accounts: { id: string; label: string }[] }) {
  const queryClient = useQueryClient();
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [fileName, setFileName] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: (file: File) => upload(file, accountId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["transactions"] }),
  });
  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    multiple: false,
    accept: { "text/csv": [".csv"], "text/plain": [".txt"] },
    onDropAccepted: ([file]) => {
      if (!file) return;
      setFileName(file.name);
      mutation.mutate(file);
    },
  });

  return (
    <div className="space-y-6">
      <div className="max-w-sm">
        <label htmlFor="account" className="block text-sm font-medium text-slate-700">Import into account</label>
        <select id="account" value={accountId} onChange={(e) => setAccountId(e.target.value)}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
          {accounts.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
        </select>
      </div>
      <div {...getRootProps({ "aria-label": "Upload a file" })}
        className={`flex h-48 cursor-pointer flex-col items-center justify-center rounded-xl border-2 border-dashed text-center transition ${
          isDragActive ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-white hover:border-slate-400"}`}>
        <input {...getInputProps()} data-testid="file-input" />
        <p className="text-base font-medium text-slate-800">Drop a CSV file here, or click to choose one</p>
        <p className="mt-1 text-sm text-slate-500">Columns: Date (YYYY-MM-DD), Amount, and a description such as Item</p>
      </div>

      {mutation.isPending && <p role="status" className="text-sm text-slate-700">Importing {fileName}…</p>}
      {mutation.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{mutation.error.message}</p>}
      {mutation.data && (
        <div role="status" className="rounded-xl border border-slate-200 bg-white p-5 text-sm">
          <p className="font-medium text-slate-900">
            {fileName}: {mutation.data.rowsImported} of {mutation.data.rowsRead} rows imported
            {mutation.data.rowsInvalid > 0 && `, ${mutation.data.rowsInvalid} need attention`}.
          </p>
          {mutation.data.issues.length > 0 && (
            <ul className="mt-3 list-disc space-y-1 pl-5 text-amber-900">
              {mutation.data.issues.map((i) => <li key={`${i.line}-${i.field}`}>{i.message}</li>)}
            </ul>
          )}
          <Link href="/transactions" className="mt-3 inline-block text-brand-700 underline">View transactions</Link>
        </div>
      )}
    </div>
  );
}
