"use client";

/**
 * Every staged row of an import, virtualised: pages of 200 rows are fetched (keyset, `after`) only as
 * the reader scrolls towards them, and only the rows on screen are in the DOM, so a million-row file
 * scrolls like a ten-row one. Filter tabs by status, cells with errors marked (message on hover and in
 * the side panel), inline correction (Enter saves, Escape cancels), exclusion, keyboard navigation.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { createColumnHelper, tableFeatures, useTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { DryRun } from "@/lib/ingest/classify";
import type { RowFilter, StagedRowView } from "@/lib/db/queries/staged-rows";
import type { ImportStatus } from "@/lib/db/queries/pipeline";
import { fetchJson, importQueryKey, plural } from "./import-status";
import { amountsQueryKey } from "./amounts-chart";
import { EDITABLE_COLUMNS, FIELD_LABEL, STATUS_LABEL, STATUS_STYLE, cellText, editValue, fieldOf, issueField, type Column } from "./review-fields";
import { ReviewRowPanel } from "./review-row-panel";

const PAGE_SIZE = 200;
const ROW_HEIGHT = 36;

type Tab = "all" | RowFilter;
const TABS: { id: Tab; label: string; count?: (d: DryRun) => number }[] = [
  { id: "all", label: "All", count: (d) => d.total },
  { id: "new", label: "New", count: (d) => d.new },
  { id: "exact_duplicate", label: "Exact duplicates", count: (d) => d.exactDuplicates },
  { id: "likely_duplicate", label: "Likely duplicates", count: (d) => d.likelyDuplicates },
  { id: "error", label: "Errors", count: (d) => d.errors },
  { id: "warnings", label: "Warnings", count: (d) => d.warnings },
  { id: "unmapped", label: "Unmapped", count: (d) => d.unmapped },
  { id: "excluded", label: "Excluded", count: (d) => d.excluded },
];

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, StagedRowView>();
const COLUMNS = helper.columns([
  helper.display({ id: "status", header: "Status" }),
  helper.display({ id: "line", header: "Line" }),
  helper.display({ id: "date", header: "Date" }),
  helper.display({ id: "amount", header: "Amount" }),
  helper.display({ id: "description", header: "Description" }),
  helper.display({ id: "issues", header: "Issues" }),
]);
/** Widths in pixels; the description column takes what is left. */
const WIDTH: Record<string, number> = { status: 130, line: 64, date: 120, amount: 150, description: 260, issues: 280, action: 90 };
const ACTION_COLUMN = helper.columns([helper.display({ id: "action", header: "" })]);
const ALL_COLUMNS = [...COLUMNS, ...ACTION_COLUMN];

type Page = { rows: StagedRowView[]; nextAfter: number | null };

interface Editing {
  rowNo: number;
  column: Column;
  value: string;
}

export interface ReviewTableProps {
  importId: string;
  importStatus: ImportStatus;
  dryRun: DryRun;
  canAct: boolean;
  columnMapping: Record<string, string>;
}

export function ReviewTable({ importId, importStatus, dryRun, canAct, columnMapping }: ReviewTableProps) {
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>("all");
  const [selected, setSelected] = useState<{ rowNo: number; column: Column } | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [editError, setEditError] = useState<{ rowNo: number; column: Column; message: string } | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const editable = canAct && importStatus === "staged";

  // The import's status is part of the key: commit and revert change every row's meaning.
  const rowsKey = useMemo(() => ["import", importId, "rows", tab, importStatus] as const, [importId, tab, importStatus]);
  const fetchPage = useCallback(
    (after: number, signal?: AbortSignal) =>
      fetchJson<Page>(`/api/imports/${importId}/rows?limit=${PAGE_SIZE}&after=${after}${tab === "all" ? "" : `&status=${tab}`}`, { signal }),
    [importId, tab],
  );
  const query = useInfiniteQuery({
    queryKey: rowsKey,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam, signal),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextAfter ?? undefined,
    staleTime: 0,
  });
  const data = useMemo(() => query.data?.pages.flatMap((p) => p.rows) ?? [], [query.data]);
  const table = useTable({ features, columns: editable ? ALL_COLUMNS : COLUMNS, data, getRowId: (r) => String(r.rowNo) });
  const rows = table.getRowModel().rows;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  const virtualizer = useVirtualizer({
    count: hasNextPage ? rows.length + 1 : rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    // The next page is asked for as the reader nears the end of what is loaded, never before.
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 20) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, rows.length]);

  // After one row changed: the summary (dry-run counts) and the amounts chart are read again, and of the
  // rows only the loaded page that holds the row, between the same bounds, so the pages after it still
  // follow on. Invalidating the whole import instead re-read every loaded page, one request each.
  const refresh = useCallback(
    async (rowNo: number) => {
      const others = [
        queryClient.invalidateQueries({ queryKey: importQueryKey(importId), exact: true }),
        queryClient.invalidateQueries({ queryKey: amountsQueryKey(importId), exact: true }),
      ];
      // Other filters' pages are out of date: dropped, they load from their first page when opened.
      queryClient.removeQueries({ queryKey: ["import", importId, "rows"], predicate: (q) => q.queryKey[3] !== tab });
      const cached = queryClient.getQueryData<InfiniteData<Page, number>>(rowsKey);
      const index = cached?.pages.findIndex((p) => p.rows.some((r) => r.rowNo === rowNo)) ?? -1;
      const page = cached?.pages[index];
      const after = cached?.pageParams[index];
      if (page && after !== undefined) {
        const fresh = await fetchPage(after);
        // A row can only leave this filter (it was on screen to be changed), so the page's rows are the
        // fresh ones up to its old last row; the last page takes what follows too.
        const upTo = page.nextAfter;
        const replaced: Page = upTo === null ? fresh : { rows: fresh.rows.filter((r) => r.rowNo <= upTo), nextAfter: upTo };
        queryClient.setQueryData<InfiniteData<Page, number>>(rowsKey, (d) => d && { ...d, pages: d.pages.map((p, i) => (i === index ? replaced : p)) });
      }
      await Promise.all(others);
    },
    [queryClient, importId, tab, rowsKey, fetchPage],
  );
  const correct = useMutation({
    mutationFn: (e: Editing & { field: string }) =>
      fetchJson<{ row: StagedRowView; dryRun: DryRun }>(`/api/imports/${importId}/rows/${e.rowNo}`, {
        method: "PATCH",
        body: JSON.stringify({ field: e.field, value: e.value }),
      }),
    onSuccess: async (_result, e) => {
      setEditing(null);
      setEditError(null);
      scrollRef.current?.focus();
      await refresh(e.rowNo);
    },
    onError: (error, e) => setEditError({ rowNo: e.rowNo, column: e.column, message: error.message }),
  });
  const exclude = useMutation({
    mutationFn: (v: { rowNo: number; excluded: boolean }) =>
      fetchJson<{ changed: number; dryRun: DryRun }>(`/api/imports/${importId}/rows/exclude`, {
        method: "POST",
        body: JSON.stringify({ rowNos: [v.rowNo], excluded: v.excluded }),
      }),
    onSettled: (_result, _error, v) => refresh(v.rowNo),
  });

  const selectedIndex = selected ? data.findIndex((r) => r.rowNo === selected.rowNo) : -1;
  const selectedRow = selectedIndex >= 0 ? data[selectedIndex] : undefined;

  const startEdit = (row: StagedRowView, column: Column) => {
    if (!editable || fieldOf(row.kind, column) === null) return;
    setSelected({ rowNo: row.rowNo, column });
    setEditError(null);
    setEditing({ rowNo: row.rowNo, column, value: editValue(row, column) });
  };
  const saveEdit = () => {
    if (!editing) return;
    const row = data.find((r) => r.rowNo === editing.rowNo);
    const field = row ? fieldOf(row.kind, editing.column) : null;
    if (!field) return;
    correct.mutate({ ...editing, field });
  };
  const cancelEdit = () => {
    setEditing(null);
    setEditError(null);
    scrollRef.current?.focus();
  };
  const toggleExcluded = (row: StagedRowView) => {
    if (editable && !exclude.isPending) exclude.mutate({ rowNo: row.rowNo, excluded: !row.excluded });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing || data.length === 0) return;
    const move = (index: number, column: Column = selected?.column ?? "date") => {
      const i = Math.max(0, Math.min(data.length - 1, index));
      const row = data[i];
      if (!row) return;
      setSelected({ rowNo: row.rowNo, column });
      virtualizer.scrollToIndex(i, { align: "auto" });
    };
    const col = EDITABLE_COLUMNS.indexOf(selected?.column ?? "date");
    switch (event.key) {
      case "ArrowDown":
        move(selectedIndex + 1);
        break;
      case "ArrowUp":
        move(selectedIndex < 0 ? 0 : selectedIndex - 1);
        break;
      case "PageDown":
        move(selectedIndex + 15);
        break;
      case "PageUp":
        move(selectedIndex - 15);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(data.length - 1);
        break;
      case "ArrowRight":
        move(Math.max(selectedIndex, 0), EDITABLE_COLUMNS[Math.min(col + 1, EDITABLE_COLUMNS.length - 1)]);
        break;
      case "ArrowLeft":
        move(Math.max(selectedIndex, 0), EDITABLE_COLUMNS[Math.max(col - 1, 0)]);
        break;
      case "Enter":
        if (selectedRow) startEdit(selectedRow, selected?.column ?? "date");
        break;
      case "x":
      case "X":
        if (selectedRow) toggleExcluded(selectedRow);
        break;
      case "Escape":
        setSelected(null);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const width = table.getAllLeafColumns().reduce((n, c) => n + (WIDTH[c.id] ?? 100), 0);
  const loaded = data.length;

  return (
    <section aria-label="Staged rows" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2 px-5 pt-5">
        <h2 className="text-base font-medium text-slate-900">Rows</h2>
        <p className="text-xs text-slate-500">
          Click a row or use the arrow keys; {editable ? "Enter or a double-click corrects the selected cell, x excludes or includes the row, " : ""}Escape clears the selection.
        </p>
      </div>
      <div role="tablist" aria-label="Filter rows by status" className="mt-3 flex flex-wrap gap-1 border-b border-slate-200 px-4">
        {TABS.map((t) => {
          const count = t.count?.(dryRun);
          const active = tab === t.id;
          return (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={active}
              onClick={() => {
                setTab(t.id);
                setEditing(null);
                setEditError(null);
                virtualizer.scrollToOffset(0);
              }}
              className={`-mb-px rounded-t-md border px-3 py-1.5 text-sm ${active ? "border-slate-200 border-b-white bg-white font-medium text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
            >
              {t.label}
              {count !== undefined && (
                <span data-testid={`tab-count-${t.id}`} className={`num ml-1.5 rounded-full px-1.5 text-xs ${t.id === "error" && count > 0 ? "bg-red-100 text-red-800" : "bg-slate-100 text-slate-700"}`}>
                  {count}
                </span>
              )}
            </button>
          );
        })}
      </div>

      <div className="grid gap-0 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0">
          {query.isError ? (
            <p role="alert" className="m-5 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{query.error.message}</p>
          ) : query.isPending ? (
            <p className="px-5 py-6 text-sm text-slate-600">Loading the rows…</p>
          ) : loaded === 0 ? (
            <p className="px-5 py-6 text-sm text-slate-600">No rows {tab === "all" ? "in this import" : "with this status"}.</p>
          ) : (
            <div
              ref={scrollRef}
              tabIndex={0}
              onKeyDown={onKeyDown}
              aria-label="Rows of the import; arrow keys move the selection"
              className="relative overflow-auto outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
              style={{ maxHeight: ROW_HEIGHT * 16 + 40 }}
            >
              <table role="table" aria-label="Rows" aria-rowcount={hasNextPage ? -1 : loaded + 1} className="grid text-sm" style={{ minWidth: width }}>
                <thead role="rowgroup" className="sticky top-0 z-20 grid border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  {table.getHeaderGroups().map((group) => (
                    <tr role="row" key={group.id} className="flex w-full">
                      {group.headers.map((header) => (
                        <th
                          role="columnheader"
                          key={header.id}
                          className={`px-3 py-2 font-medium ${header.column.id === "line" || header.column.id === "amount" ? "text-right" : ""}`}
                          style={columnStyle(header.column.id, WIDTH[header.column.id])}
                        >
                          {header.column.id === "action" ? <span className="sr-only">Action</span> : String(header.column.columnDef.header ?? "")}
                        </th>
                      ))}
                    </tr>
                  ))}
                </thead>
                <tbody role="rowgroup" className="relative grid" style={{ height: virtualizer.getTotalSize() }}>
                  {items.map((item) => {
                    const tableRow = rows[item.index];
                    if (!tableRow) {
                      return (
                        <tr role="row" key="loader" className="absolute flex w-full items-center px-3 text-slate-500" style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                          <td role="cell">{isFetchingNextPage ? "Loading more rows…" : ""}</td>
                        </tr>
                      );
                    }
                    const row = tableRow.original;
                    const isSelected = selected?.rowNo === row.rowNo;
                    const fieldIssues = new Map<string, string[]>();
                    for (const issue of row.issues) {
                      const f = issueField(row.kind, issue, columnMapping);
                      if (f) fieldIssues.set(f, [...(fieldIssues.get(f) ?? []), issue.message]);
                    }
                    const rowEditing = editing?.rowNo === row.rowNo;
                    return (
                      <tr
                        role="row"
                        key={tableRow.id}
                        data-index={item.index}
                        aria-selected={isSelected}
                        data-testid={`row-line-${row.line}`}
                        onClick={() => setSelected((s) => ({ rowNo: row.rowNo, column: s?.rowNo === row.rowNo ? s.column : "date" }))}
                        className={`absolute flex w-full border-b border-slate-100 ${isSelected ? "bg-brand-50 ring-1 ring-inset ring-brand-400" : row.status === "error" || row.status === "unmapped" ? "bg-red-50/40" : ""} ${rowEditing ? "z-10" : ""}`}
                        style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                      >
                        {tableRow.getAllCells().map((cell) => {
                          const id = cell.column.id;
                          const style = columnStyle(id, WIDTH[cell.column.id]);
                          if (id === "status") {
                            return <td role="cell" key={cell.id} style={style} className={`truncate px-3 py-2 ${STATUS_STYLE[row.status]}`}>{STATUS_LABEL[row.status]}</td>;
                          }
                          if (id === "line") return <td role="cell" key={cell.id} style={style} className="num px-3 py-2 text-right text-slate-600">{row.line}</td>;
                          if (id === "issues") {
                            const summary = [...row.issues.map((i) => i.message), ...(row.match ? [`Matches ${row.match.bookingDate} ${row.match.amount} ${row.match.currency} “${row.match.description}”`] : [])].join(" · ");
                            return (
                              <td role="cell" key={cell.id} style={style} title={summary} className={`truncate px-3 py-2 ${row.hasError ? "text-red-800" : row.issues.length ? "text-amber-800" : "text-slate-600"}`}>
                                {summary}
                              </td>
                            );
                          }
                          if (id === "action") {
                            return (
                              <td role="cell" key={cell.id} style={style} className="px-2 py-1">
                                <button
                                  type="button"
                                  disabled={exclude.isPending}
                                  onClick={(e) => {
                                    e.stopPropagation();
                                    toggleExcluded(row);
                                  }}
                                  aria-label={`${row.excluded ? "Include" : "Exclude"} line ${row.line}`}
                                  className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50 disabled:opacity-50"
                                >
                                  {row.excluded ? "Include" : "Exclude"}
                                </button>
                              </td>
                            );
                          }
                          const column = id as Column;
                          const field = fieldOf(row.kind, column);
                          const messages = field ? fieldIssues.get(field) : undefined;
                          const value = cellText(row, column);
                          const cellSelected = isSelected && selected?.column === column;
                          const isEditing = rowEditing && editing?.column === column;
                          const error = editError?.rowNo === row.rowNo && editError.column === column ? editError.message : null;
                          return (
                            <td
                              role="cell"
                              key={cell.id}
                              style={style}
                              title={messages?.join("\n") ?? (column === "description" ? value : undefined)}
                              aria-invalid={messages ? true : undefined}
                              data-testid={`cell-${column}`}
                              onClick={() => setSelected({ rowNo: row.rowNo, column })}
                              onDoubleClick={() => startEdit(row, column)}
                              className={`relative px-3 py-2 ${column === "amount" ? "num text-right" : column === "date" ? "num" : ""} ${
                                messages ? "bg-red-100 text-red-900 underline decoration-red-400 decoration-wavy" : value.startsWith("-") ? "text-red-700" : ""
                              } ${cellSelected ? "outline outline-2 -outline-offset-2 outline-brand-500" : ""}`}
                            >
                              {isEditing && editing ? (
                                <div className="absolute inset-0 z-10">
                                  <input
                                    autoFocus
                                    aria-label={`${FIELD_LABEL[field ?? ""] ?? column}, line ${row.line}`}
                                    aria-invalid={error ? true : undefined}
                                    aria-describedby={error ? `edit-error-${row.rowNo}` : undefined}
                                    value={editing.value}
                                    disabled={correct.isPending}
                                    onChange={(e) => setEditing({ ...editing, value: e.target.value })}
                                    onKeyDown={(e) => {
                                      e.stopPropagation();
                                      if (e.key === "Enter") saveEdit();
                                      else if (e.key === "Escape") cancelEdit();
                                    }}
                                    className={`h-full w-full border-2 bg-white px-2 text-sm text-slate-900 outline-none ${error ? "border-red-500" : "border-brand-500"} ${column === "amount" ? "text-right" : ""}`}
                                  />
                                  {error && (
                                    <p id={`edit-error-${row.rowNo}`} role="alert" className="absolute left-0 top-full z-30 mt-1 w-80 rounded-md border border-red-200 bg-red-50 px-2 py-1 text-left text-xs normal-case text-red-800 shadow">
                                      {error}
                                    </p>
                                  )}
                                </div>
                              ) : (
                                <span className="block truncate">{value}</span>
                              )}
                            </td>
                          );
                        })}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <p className="border-t border-slate-100 px-5 py-2 text-xs text-slate-500" aria-live="polite">
            {loaded > 0 && (hasNextPage ? `${plural(loaded, "row")} loaded; more load as you scroll.` : `Showing all ${plural(loaded, "row")}${tab === "all" ? "" : " with this status"}.`)}
            {exclude.isError && <span role="alert" className="ml-2 text-red-700">{exclude.error.message}</span>}
          </p>
        </div>
        <ReviewRowPanel
          row={selectedRow}
          columnMapping={columnMapping}
          editable={editable}
          editError={editError && editError.rowNo === selectedRow?.rowNo ? editError.message : null}
          onClose={() => setSelected(null)}
          onToggleExcluded={toggleExcluded}
          onEdit={(column) => selectedRow && startEdit(selectedRow, column)}
        />
      </div>
    </section>
  );
}

function columnStyle(id: string, size: number | undefined) {
  return id === "description" ? { flex: `1 0 ${size ?? 200}px`, minWidth: size } : { flex: `0 0 ${size ?? 100}px`, width: size };
}
