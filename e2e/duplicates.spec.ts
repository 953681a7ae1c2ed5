import { readFile, writeFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { storageStateOf } from "./support";

// Real likely duplicates: the uploader commits a CSV backfill into "Operating account", then the bank's
// own version of the same three transactions (upper case, a day later) into the same account; commit
// holds all three for a reviewer. Every description carries this run's token, so other specs' data
// cannot get in the way; the spec reverts both imports at the end so the ledger is as it found it.
const run = `R${Date.now().toString(36).toUpperCase()}`;
const ROWS = [
  { date: "2024-02-05", held: "2024-02-06", amount: "-123.45", description: `Coffee beans wholesale order ${run}`, bank: `COFFEE BEANS WHOLESALE ${run}`, counterparty: "Bean Co" },
  { date: "2024-02-07", held: "2024-02-08", amount: "-2345.67", description: `Office rent February ${run}`, bank: `OFFICE RENT - FEBRUARY ${run}`, counterparty: "Landlord Properties" },
  { date: "2024-02-09", held: "2024-02-10", amount: "3456.78", description: `Client payment INV-77 ${run}`, bank: `CLIENT PAYMENT INV 77 ${run}`, counterparty: "Acme Corporation" },
] as const;
const BACKFILL = `backfill-${run}.csv`;
const BANK = `bank-${run}.csv`;
const JOB = { timeout: 20_000 };

function csv(lines: { date: string; description: string; counterparty: string; amount: string }[]): string {
  return `Date,Description,Counterparty,Amount,Currency\n${lines.map((l) => `${l.date},${l.description},${l.counterparty},${l.amount},USD`).join("\n")}\n`;
}

interface ImportJson {
  status: string;
  dryRun: { new: number; likelyDuplicates: number; total: number } | null;
  metrics: Record<string, unknown>;
}

async function waitFor(request: APIRequestContext, id: string, status: string): Promise<ImportJson> {
  let last: ImportJson | undefined;
  await expect
    .poll(async () => {
      last = (await (await request.get(`/api/imports/${id}`)).json()) as ImportJson;
      return last.status;
    }, JOB)
    .toBe(status);
  return last!;
}

/** Upload (into the chosen account) and commit, as the uploader does on the upload and review pages. */
async function importAndCommit(request: APIRequestContext, path: string, name: string, accountId: string): Promise<{ id: string; staged: ImportJson; committed: ImportJson }> {
  const upload = await request.post("/api/imports", { multipart: { accountId, file: { name, mimeType: "text/csv", buffer: await readFile(path) } } });
  expect(upload.status(), await upload.text()).toBe(202);
  const { importId } = (await upload.json()) as { importId: string };
  const staged = await waitFor(request, importId, "staged");
  const commit = await request.post(`/api/imports/${importId}/commit`);
  expect(commit.status(), await commit.text()).toBe(202);
  return { id: importId, staged, committed: await waitFor(request, importId, "committed") };
}

const count = async (page: Page, tab: "pending" | "approved" | "rejected") => Number(await page.getByTestId(`count-${tab}`).textContent());

test("a reviewer rejects one likely duplicate and approves others, by key and in bulk, with undo", async ({ browser, playwright }, testInfo) => {
  const uploader = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL, storageState: storageStateOf("uploader") });
  const admin = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL, storageState: storageStateOf("admin") });
  const imports: string[] = [];
  const context = await browser.newContext({ storageState: storageStateOf("reviewer") });
  try {
    const { accounts } = (await (await uploader.get("/api/accounts")).json()) as { accounts: { id: string; name: string }[] };
    const operating = accounts.find((a) => a.name === "Operating account");
    expect(operating).toBeDefined();

    const backfill = testInfo.outputPath(BACKFILL);
    await writeFile(backfill, csv(ROWS.map((r) => ({ date: r.date, description: r.description, counterparty: r.counterparty, amount: r.amount }))));
    const first = await importAndCommit(uploader, backfill, BACKFILL, operating!.id);
    imports.push(first.id);
    expect(first.staged.dryRun).toMatchObject({ new: 3, likelyDuplicates: 0, total: 3 });

    const bank = testInfo.outputPath(BANK);
    await writeFile(bank, csv(ROWS.map((r) => ({ date: r.held, description: r.bank, counterparty: r.counterparty.toUpperCase(), amount: r.amount }))));
    const second = await importAndCommit(uploader, bank, BANK, operating!.id);
    imports.push(second.id);
    expect(second.staged.dryRun).toMatchObject({ new: 0, likelyDuplicates: 3, total: 3 });
    expect(second.committed.metrics).toMatchObject({ imported: 0, flagged: 3 });

    // The queue: each held row beside the ledger row it resembles, with the reason in words.
    const page = await context.newPage();
    await page.goto("/duplicates");
    await expect(page.getByRole("heading", { name: "Duplicate review" })).toBeVisible();
    const queue = page.getByRole("list", { name: "Likely duplicates waiting" });
    const card = (row: (typeof ROWS)[number]): Locator => queue.getByRole("listitem", { name: `: ${row.bank}` });
    await expect(queue.getByRole("listitem").filter({ hasText: run })).toHaveCount(3);
    for (const row of ROWS) {
      const c = card(row);
      await expect(c.getByTestId("held-row")).toContainText(row.held);
      await expect(c.getByTestId("held-row")).toContainText(`${row.amount} USD`);
      await expect(c.getByTestId("held-row")).toContainText(`${BANK}, line`);
      await expect(c.getByTestId("held-row")).toContainText("Operating account");
      await expect(c.getByTestId("matched-row")).toContainText(row.date);
      await expect(c.getByTestId("matched-row")).toContainText(row.description);
      await expect(c.getByTestId("matched-row")).toContainText(BACKFILL);
      await expect(c.getByTestId("duplicate-reason")).toHaveText(new RegExp(`^Same amount · 1 day apart · descriptions \\d+ % alike · matched a row from ${BACKFILL}$`));
    }
    const start = { pending: await count(page, "pending"), approved: await count(page, "approved"), rejected: await count(page, "rejected") };
    expect(start.pending).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: testInfo.outputPath("duplicates-queue.png"), fullPage: true });

    const [coffee, rent, client] = [card(ROWS[0]), card(ROWS[1]), card(ROWS[2])];
    const notice = page.getByTestId("duplicate-notice");

    // R rejects the chosen one.
    await coffee.getByTestId("duplicate-reason").click();
    await expect(coffee).toHaveAttribute("aria-current", "true");
    await page.keyboard.press("r");
    await expect(notice).toHaveText("Rejected 1 duplicate: kept out of the ledger.");
    await expect(coffee).toHaveCount(0);
    await expect(page.getByTestId("count-pending")).toHaveText(String(start.pending - 1));
    await expect(page.getByTestId("count-rejected")).toHaveText(String(start.rejected + 1));

    // K/J move; A approves the chosen one.
    await rent.getByTestId("duplicate-reason").click();
    await page.keyboard.press("j");
    await expect(client).toHaveAttribute("aria-current", "true");
    await page.keyboard.press("k");
    await expect(rent).toHaveAttribute("aria-current", "true");
    await page.keyboard.press("a");
    await expect(notice).toHaveText("Approved 1 duplicate: 1 row added to the ledger.");
    await expect(page.getByTestId("count-pending")).toHaveText(String(start.pending - 2));
    await expect(page.getByTestId("count-approved")).toHaveText(String(start.approved + 1));

    // U takes the last decision back.
    await page.keyboard.press("u");
    await expect(notice).toHaveText("Undid the approval of 1 duplicate; back in the queue.");
    await expect(rent).toBeVisible();
    await expect(page.getByTestId("count-pending")).toHaveText(String(start.pending - 1));
    await expect(page.getByTestId("count-approved")).toHaveText(String(start.approved));

    // Meanwhile the admin rejects the client payment; the reviewer's page still shows it.
    const clientId = Number((await client.getAttribute("aria-label"))!.match(/#(\d+)/)![1]);
    const behind = await admin.post("/api/duplicates/decide", { data: { ids: [clientId], decision: "reject" } });
    expect(behind.status()).toBe(200);

    // Select both that are left (click, shift-click) and approve them in one go: one is approved,
    // the other is reported as already rejected by the admin.
    await rent.getByRole("checkbox").click();
    await client.getByRole("checkbox").click({ modifiers: ["Shift"] });
    await expect(page.getByTestId("selected-count")).toHaveText("2 selected");
    await page.getByRole("button", { name: "Approve selected (2)" }).click();
    await expect(notice).toHaveText(`Approved 1 duplicate: 1 row added to the ledger. Someone decided first: #${clientId} was already rejected by admin@example.com.`);
    await expect(queue.getByRole("listitem").filter({ hasText: run })).toHaveCount(0);
    await expect(page.getByTestId("count-pending")).toHaveText(String(start.pending - 3));
    await expect(page.getByTestId("count-approved")).toHaveText(String(start.approved + 1));
    await expect(page.getByTestId("count-rejected")).toHaveText(String(start.rejected + 2));
    await page.screenshot({ path: testInfo.outputPath("duplicates-decided.png"), fullPage: true });

    // The decided tabs are read-only and say who decided.
    await page.getByRole("tab", { name: /Approved/ }).click();
    const approved = page.getByRole("list", { name: "Likely duplicates approved" }).getByRole("listitem", { name: `: ${ROWS[1].bank}` });
    await expect(approved.getByTestId("duplicate-decided")).toContainText("Approved by reviewer@example.com on ");
    await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
    await page.getByRole("tab", { name: /Rejected/ }).click();
    const rejected = page.getByRole("list", { name: "Likely duplicates rejected" });
    await expect(rejected.getByRole("listitem", { name: `: ${ROWS[0].bank}` }).getByTestId("duplicate-decided")).toContainText("Rejected by reviewer@example.com");
    await expect(rejected.getByRole("listitem", { name: `: ${ROWS[2].bank}` }).getByTestId("duplicate-decided")).toContainText("Rejected by admin@example.com");
    await page.screenshot({ path: testInfo.outputPath("duplicates-rejected.png"), fullPage: true });

    // The ledger: the three backfill rows and exactly the one approved bank row.
    await page.goto("/transactions");
    const ledger = page.getByRole("table", { name: "Transactions" }).getByRole("row").filter({ hasText: run });
    await expect(ledger).toHaveCount(4);
    for (const row of ROWS) await expect(ledger.filter({ hasText: row.description })).toHaveCount(1);
    await expect(ledger.filter({ hasText: ROWS[1].bank })).toContainText(ROWS[1].held);
    await expect(ledger.filter({ hasText: ROWS[0].bank })).toHaveCount(0);
    await expect(ledger.filter({ hasText: ROWS[2].bank })).toHaveCount(0);
  } finally {
    for (const id of imports.reverse()) await uploader.post(`/api/imports/${id}/revert`);
    await context.close();
    await uploader.dispose();
    await admin.dispose();
  }
});

test("viewers and uploaders may not review duplicates", async ({ browser }) => {
  for (const role of ["viewer", "uploader"] as const) {
    const context = await browser.newContext({ storageState: storageStateOf(role) });
    const page = await context.newPage();
    await page.goto("/duplicates");
    await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Duplicate review" })).toHaveCount(0);
    await context.close();
  }
});
