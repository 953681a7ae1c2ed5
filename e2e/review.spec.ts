import { expect, test, type Page } from "@playwright/test";
import { sample, storageStateOf } from "./support";

test.use({ storageState: storageStateOf("uploader") });

// Parsing and committing run as background jobs; the page polls, so allow them a little time.
const JOB = { timeout: 20_000 };
const FILE = "bank_us_debit_credit_bom.csv";
const DATE_ERROR = 'Expected a date as MM/DD/YYYY (month first) in field "Posting Date", found ';

async function uploadAndOpenReview(page: Page, file: { name: string; mimeType: string; buffer: Buffer } | null = null): Promise<void> {
  const name = file?.name ?? FILE;
  await page.goto("/upload");
  await page.getByLabel("Account for files that name none").selectOption({ label: "Operating account (USD)" });
  await page.getByTestId("file-input").setInputFiles(file ?? sample("csv", FILE));
  const item = page.getByRole("listitem", { name });
  await expect(item.getByTestId("import-status")).toHaveText("staged", JOB);
  await item.getByRole("link", { name: "Review" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

test.describe.configure({ mode: "serial" });

test("an uploader corrects an invalid date inline, commits, and reverts", async ({ page }, testInfo) => {
  await uploadAndOpenReview(page);
  const table = page.getByRole("table", { name: "Rows" });
  const bad = table.getByTestId("row-line-7");

  // The profile states the file back: how dates and amounts were read, totals, the account chosen.
  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile).toContainText("2025-10-01 to 2025-10-14");
  await expect(profile).toContainText("Dates read as MM/DD/YYYY (month first)");
  await expect(profile).toContainText('Amounts read with "." as the decimal separator');
  await expect(page.getByRole("region", { name: "Account" }).getByLabel("Account for this file")).toHaveValue(/.+/);
  await expect(page.getByRole("figure", { name: "Rows by status" })).toContainText("Errors 1");
  const amounts = page.getByRole("figure", { name: "Amounts over time" });
  await expect(amounts).toBeVisible();
  // The row with the bad date is not drawn until it is corrected.
  await expect(amounts.locator("title", { hasText: "2025-10-13" })).toHaveCount(0);

  // The error row: status, the bad cell marked with its message on hover, the message in the side panel.
  await expect(bad.getByRole("cell").nth(0)).toHaveText("error");
  const date = bad.getByTestId("cell-date");
  await expect(date).toHaveText("13/10/2025");
  await expect(date).toHaveAttribute("aria-invalid", "true");
  await expect(date).toHaveAttribute("title", new RegExp(`^${DATE_ERROR.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
  await expect(bad.getByRole("cell").nth(5)).toContainText(DATE_ERROR);
  await date.click();
  const panel = page.getByRole("complementary", { name: "Selected row" });
  await expect(panel.getByRole("heading", { level: 3 })).toHaveText("Line 7 · error");
  await expect(panel.getByRole("list", { name: "Issues of this row" })).toContainText(DATE_ERROR);
  await expect(panel).toContainText("13/10/2025,BAD DATE ROW,10.00,,\"11,885.77\",X1");

  // Filter tabs count from the dry run; the errors tab lists the one error row.
  const counts = { all: "7", new: "6", exact_duplicate: "0", likely_duplicate: "0", error: "1", warnings: "0", unmapped: "0", excluded: "0" };
  for (const [tab, n] of Object.entries(counts)) await expect(page.getByTestId(`tab-count-${tab}`)).toHaveText(n);
  await expect(page.getByTestId("dry-run-blocked")).toHaveText("1");
  await page.getByRole("tab", { name: /^Errors/ }).click();
  await expect(table.getByRole("row")).toHaveCount(2); // header + the error row
  await expect(table.getByTestId("row-line-7")).toBeVisible();
  await page.getByRole("tab", { name: /^All/ }).click();
  await expect(table.getByRole("row")).toHaveCount(8); // header + 7 rows
  await page.screenshot({ path: testInfo.outputPath("review-error.png"), fullPage: true });

  // A date that does not exist is refused with the reason, next to the cell, and nothing changes.
  await date.click();
  await page.keyboard.press("Enter");
  const input = page.getByLabel("Booking date, line 7");
  await expect(input).toBeFocused();
  await input.fill("2025-02-30");
  await input.press("Enter");
  const refusal = "Line 7, Booking date: expected a date as YYYY-MM-DD that exists, found 2025-02-30";
  await expect(bad.getByRole("alert")).toHaveText(refusal);
  await expect(panel.getByRole("alert")).toHaveText(refusal);
  await page.screenshot({ path: testInfo.outputPath("review-refused.png"), fullPage: true });
  await input.press("Escape");
  await expect(input).toBeHidden();
  await expect(date).toHaveText("13/10/2025");
  await expect(page.getByTestId("dry-run-blocked")).toHaveText("1");
  await expect(page.getByTestId("tab-count-error")).toHaveText("1");

  // The right date clears the error; the row, the counts and the dry run follow.
  await date.dblclick();
  await input.fill("2025-10-13");
  await input.press("Enter");
  await expect(input).toBeHidden();
  await expect(bad.getByRole("cell").nth(0)).toHaveText("new");
  await expect(date).toHaveText("2025-10-13");
  await expect(date).not.toHaveAttribute("aria-invalid", "true");
  await expect(bad.getByTestId("cell-amount")).toHaveText("-10.00 USD");
  await expect(page.getByTestId("dry-run-blocked")).toHaveText("0");
  await expect(page.getByTestId("dry-run-new")).toHaveText("7");
  await expect(page.getByTestId("tab-count-error")).toHaveText("0");
  // The chart is read again: the corrected row is drawn on its date.
  await expect(amounts.locator("title", { hasText: "2025-10-13" })).toHaveText("2025-10-13: credits 0, debits -10.00 USD (1 rows)");
  await expect(panel.getByRole("table", { name: "Values of this row" }).getByRole("row", { name: /Booking date/ })).toContainText("2025-10-13");
  await expect(panel.getByRole("table", { name: "Values of this row" }).getByRole("row", { name: /Booking date/ })).toContainText("13/10/2025");
  const commit = page.getByRole("button", { name: "Commit 7 new rows to the ledger" });
  await expect(commit).toBeEnabled();
  await expect(page.getByText("This import cannot be committed yet")).toBeHidden();
  await page.screenshot({ path: testInfo.outputPath("review-corrected.png"), fullPage: true });

  await commit.click();
  await expect(page.getByTestId("import-status")).toHaveText("committed", JOB);
  await expect(page.getByRole("button", { name: "Revert" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("review-committed.png"), fullPage: true });
  const url = page.url();

  await page.goto("/transactions");
  const corrected = page.getByRole("row", { name: /BAD DATE ROW/ });
  await expect(corrected).toContainText("2025-10-13");
  await expect(corrected).toContainText("-10");

  // Revert, after a confirmation, takes the import's rows out of the ledger again.
  await page.goto(url);
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toBe("Remove the 7 rows this import added from the ledger? The file and the record of this import stay.");
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Revert" }).click();
  await expect(page.getByTestId("import-status")).toHaveText("reverted", JOB);
  await page.goto("/transactions");
  await expect(page.getByRole("row", { name: /BAD DATE ROW/ })).toHaveCount(0);
  await expect(page.getByRole("row", { name: /ACH CREDIT PAYROLL ACME CORP/ })).toHaveCount(0);
});

test("the keyboard moves the selection, edits and excludes", async ({ page }, testInfo) => {
  await uploadAndOpenReview(page);
  const table = page.getByRole("table", { name: "Rows" });
  await table.getByTestId("row-line-2").getByTestId("cell-description").click();
  await expect(table.getByTestId("row-line-2")).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowDown");
  await expect(table.getByTestId("row-line-3")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("complementary", { name: "Selected row" }).getByRole("heading", { level: 3 })).toHaveText(/^Line 3/);

  // x excludes the selected row and x again includes it; the dry run follows each time.
  await page.keyboard.press("x");
  await expect(table.getByTestId("row-line-3").getByRole("cell").nth(0)).toHaveText("excluded");
  await expect(page.getByTestId("dry-run-excluded")).toHaveText("1");
  await expect(page.getByTestId("tab-count-excluded")).toHaveText("1");
  await page.keyboard.press("x");
  await expect(table.getByTestId("row-line-3").getByRole("cell").nth(0)).not.toHaveText("excluded");
  await expect(page.getByTestId("dry-run-excluded")).toHaveText("0");

  // Enter opens the selected cell (the description), Escape leaves it unchanged.
  await page.keyboard.press("Enter");
  const input = page.getByLabel("Description, line 3");
  await expect(input).toHaveValue("CHECK 1042");
  await input.fill("something else");
  await input.press("Escape");
  await expect(table.getByTestId("row-line-3").getByTestId("cell-description")).toHaveText("CHECK 1042");
  await page.screenshot({ path: testInfo.outputPath("review-keyboard.png"), fullPage: true });
});

test("a correction deep in a large file reads again only the page of its row, the counts and the chart", async ({ page }) => {
  // 449 good rows and a bad date on the last line: three pages of 200 rows.
  const lines = ["Posting Date,Description,Debit,Credit,Balance,Reference"];
  for (let n = 1; n <= 449; n++) lines.push(`10/20/2025,PAGED PAYMENT ${n},${n}.00,,,PG${n}`);
  lines.push("13/10/2025,PAGED BAD DATE,7.00,,,PGBAD");
  await uploadAndOpenReview(page, { name: "paged-review.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n") + "\n") });
  await expect(page.getByTestId("tab-count-all")).toHaveText("450");
  await expect(page.getByTestId("tab-count-error")).toHaveText("1");
  const amounts = page.getByRole("figure", { name: "Amounts over time" });
  await expect(amounts.locator("title", { hasText: "2025-10-13" })).toHaveCount(0);

  // Load every page: End moves to the last loaded row, which asks for the next page.
  const table = page.getByRole("table", { name: "Rows" });
  await table.getByTestId("row-line-2").getByTestId("cell-date").click();
  await expect(async () => {
    await page.keyboard.press("End");
    await expect(page.getByText("Showing all 450 rows.")).toBeVisible({ timeout: 1_000 });
  }).toPass(JOB);
  await page.keyboard.press("End");
  await expect(table.getByTestId("row-line-451")).toHaveAttribute("aria-selected", "true");

  const requests: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith("/api/imports/")) requests.push(url.pathname.replace(/^\/api\/imports\/[^/]+/, "") + url.search);
  });
  await page.keyboard.press("Enter");
  const input = page.getByLabel("Booking date, line 451");
  await input.fill("2025-10-13");
  await input.press("Enter");
  await expect(input).toBeHidden();
  await expect(table.getByTestId("row-line-451").getByRole("cell").nth(0)).toHaveText("new");
  await expect(page.getByTestId("tab-count-error")).toHaveText("0");
  await expect(page.getByTestId("dry-run-new")).toHaveText("450");
  await expect(amounts.locator("title", { hasText: "2025-10-13" })).toHaveText("2025-10-13: credits 0, debits -7.00 USD (1 rows)");
  await expect(page.getByText("Showing all 450 rows.")).toBeVisible();
  // The correction, then the third page alone (not the first two again), the summary and the chart.
  expect(requests.filter((r) => r.startsWith("/rows")).sort()).toEqual(["/rows/450", "/rows?limit=200&after=400"]);
  expect(requests.filter((r) => !r.startsWith("/rows")).sort()).toEqual(["", "/amounts"]);
});
