"use client";

import { useCallback, useId, useRef, useState } from "react";
import { useDropzone } from "react-dropzone";
import { ImportUploadItem, type UploadItem } from "./import-upload-item";
import type { PreviousImport } from "./import-status";

interface UploadAnswer {
  importId: string;
  previousImports: PreviousImport[];
}

function parseAnswer(text: string): (Partial<UploadAnswer> & { error?: { message?: string } }) | null {
  try {
    return JSON.parse(text) as Partial<UploadAnswer> & { error?: { message?: string } };
  } catch {
    return null;
  }
}

/**
 * XMLHttpRequest rather than fetch: only XHR reports upload progress, and a large statement can take
 * a while to send. Resolves with the 202 answer; rejects with the API's own message.
 */
function uploadWithProgress(file: File, accountId: string, onProgress: (loaded: number, total: number) => void): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/imports");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      const json = parseAnswer(xhr.responseText);
      if (xhr.status === 202 && json?.importId) resolve({ importId: json.importId, previousImports: json.previousImports ?? [] });
      else reject(new Error(json?.error?.message ?? `The upload of ${file.name} failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () => reject(new Error(`The connection was lost while sending ${file.name}. Try again.`));
    xhr.onabort = () => reject(new Error(`The upload of ${file.name} was cancelled.`));
    const body = new FormData();
    // Fields before the file, so the server has them by the time the file streams in.
    if (accountId) body.set("accountId", accountId);
    body.set("file", file);
    xhr.send(body);
  });
}

export function UploadDropzone({ accounts }: { accounts: { id: string; label: string }[] }) {
  const selectId = useId();
  const [accountId, setAccountId] = useState("");
  const [items, setItems] = useState<UploadItem[]>([]);
  const nextKey = useRef(0);

  const update = useCallback((key: number, patch: Partial<UploadItem>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const start = useCallback(
    (files: File[]) => {
      const added = files.map((file) => ({ key: nextKey.current++, file }));
      setItems((current) => [
        ...added.map(({ key, file }): UploadItem => ({ key, fileName: file.name, size: file.size, loaded: 0, total: file.size, state: "uploading" })),
        ...current,
      ]);
      for (const { key, file } of added) {
        uploadWithProgress(file, accountId, (loaded, total) => update(key, { loaded, total })).then(
          (answer) => update(key, { state: "uploaded", loaded: file.size, importId: answer.importId, previousImports: answer.previousImports }),
          (error: unknown) => update(key, { state: "refused", error: error instanceof Error ? error.message : String(error) }),
        );
      }
    },
    [accountId, update],
  );

  const { getRootProps, getInputProps, isDragActive } = useDropzone({ multiple: true, onDrop: (accepted) => accepted.length > 0 && start(accepted) });

  return (
    <div className="space-y-6">
      <div className="max-w-md">
        <label htmlFor={selectId} className="block text-sm font-medium text-slate-700">Account for files that name none</label>
        <select id={selectId} value={accountId} onChange={(e) => setAccountId(e.target.value)}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
          <option value="">None: each file names its own account</option>
          {accounts.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
        </select>
        <p className="mt-1 text-xs text-slate-500">
          CSV and POS exports name no account; choose where their rows belong. Bank statements (OFX, BAI2, MT940, camt.053) name their own.
        </p>
      </div>
      <div {...getRootProps({ "aria-label": "Upload files" })}
        className={`flex h-48 cursor-pointer flex-col items-center justify-center rounded-xl border-2 border-dashed text-center transition ${
          isDragActive ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-white hover:border-slate-400"}`}>
        <input {...getInputProps()} data-testid="file-input" />
        <p className="text-base font-medium text-slate-800">Drop files here, or click to choose them</p>
        <p className="mt-1 max-w-lg text-sm text-slate-500">
          Bank statements (OFX, QIF, BAI2, MT940, camt.053), M-Pesa statements, CSV and Excel exports, POS sales, trial balances.
          The format is detected from the content; nothing reaches the ledger before you review and commit it.
        </p>
      </div>

      {items.length > 0 && (
        <ul aria-label="Uploads" className="space-y-3">
          {items.map((item) => <ImportUploadItem key={item.key} item={item} />)}
        </ul>
      )}
    </div>
  );
}
