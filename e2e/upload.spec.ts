import { expect, test } from "@playwright/test";
import { sample, storageStateOf } from "./support";

test.use({ storageState: storageStateOf("uploader") });

// Parsing and committing run as background jobs; the pages poll, so allow them a little time.
const JOB = { timeout: 20_000 };

test("an uploader imports the sales sample, reviews it, excludes the error row, commits and reverts", async ({ page }, testInfo) => {
  await page.goto("/upload");
  await expect(page.getByRole("heading", { name: "Upload" })).toBeVisible();
  await page.getByLabel("Account for files that name none").selectOption({ label: "M-Pesa till (KES)" });
  await page.getByTestId("file-input").setInputFiles(sample("csv", "sheets_sales.csv"));

  const item = page.getByRole("listitem", { name: "sheets_sales.csv" });
  await expect(item.getByRole("progressbar", { name: "Upload of sheets_sales.csv" })).toBeVisible();
  await expect(item.getByTestId("import-status")).toHaveText("staged", JOB);
  await expect(item).toContainText("6 rows read, 1 with an error");
  await expect(item).toContainText("Format: csv");
  await expect(item).toContainText("Dry run: 5 new rows, 1 blocked.");
  await page.screenshot({ path: testInfo.outputPath("upload.png"), fullPage: true });

  await item.getByRole("link", { name: "Review" }).click();
  await expect(page.getByRole("heading", { name: "sheets_sales.csv" })).toBeVisible();
  await expect(page.getByTestId("dry-run-new")).toHaveText("5");
  await expect(page.getByTestId("dry-run-blocked")).toHaveText("1");
  await expect(page.getByTestId("dry-run-errors")).toHaveText("1");
  await expect(page.getByTestId("dry-run-total")).toHaveText("6");
  const staged = page.getByRole("table", { name: "Rows" });
  await expect(staged.getByRole("row")).toHaveCount(7); // header + 6 rows
  await expect(staged.getByRole("row", { name: /Laptop Case/ })).toHaveCount(2);
  const bad = staged.getByRole("row", { name: /Gift card/ });
  await expect(bad.getByRole("cell").nth(0)).toHaveText("error");
  await expect(bad.getByRole("cell").nth(1)).toHaveText("6");
  await expect(bad.getByRole("cell").nth(5)).toContainText("Amount");
  const commit = page.getByRole("button", { name: /^Commit/ });
  await expect(commit).toBeDisabled();
  await expect(page.getByText("This import cannot be committed yet: 1 row has errors to correct or exclude.")).toBeVisible();
  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile).toContainText("2025-10-01 to 2025-10-05");
  await expect(profile.getByRole("table", { name: "Totals per currency" }).getByRole("row", { name: /KES/ })).toContainText("126500");
  await page.screenshot({ path: testInfo.outputPath("review-blocked.png"), fullPage: true });

  await page.getByRole("button", { name: "Exclude rows with errors" }).click();
  await expect(page.getByTestId("dry-run-excluded")).toHaveText("1");
  await expect(page.getByTestId("dry-run-blocked")).toHaveText("0");
  await expect(bad.getByRole("cell").nth(0)).toHaveText("excluded");
  await expect(commit).toBeEnabled();
  await commit.click();
  await expect(page.getByTestId("import-status")).toHaveText("committed", JOB);
  await page.screenshot({ path: testInfo.outputPath("review-committed.png"), fullPage: true });

  await page.goto("/transactions");
  const table = page.getByRole("table", { name: "Transactions" });
  const rows = table.getByRole("row");
  await expect(rows).toHaveCount(6); // header + 5 rows
  await expect(rows.nth(1)).toContainText("2025-10-05");
  await expect(rows.nth(1)).toContainText("-120000 KES");
  await expect(table.getByRole("row", { name: /Repair service/ })).toContainText("1500 KES");
  await expect(table.getByRole("row", { name: /iPhone 15/ }).filter({ hasNotText: "Refund" })).toContainText("120000 KES");
  // Two identical purchases on one day stay two rows.
  const cases = table.getByRole("row", { name: /Laptop Case/ });
  await expect(cases).toHaveCount(2);
  await expect(cases.nth(0)).toContainText("2500 KES");
  await expect(cases.nth(1)).toContainText("2500 KES");
  await expect(table).not.toContainText("Gift card");
  await page.screenshot({ path: testInfo.outputPath("transactions.png"), fullPage: true });

  await page.goto("/imports");
  const listed = page.getByRole("table", { name: "Imports" }).getByRole("row", { name: /sheets_sales\.csv/ });
  await expect(listed).toContainText("uploader@example.com");
  await expect(listed.getByTestId("import-status")).toHaveText("committed");

  // Revert takes the rows out of the ledger again, after a confirmation.
  await listed.getByRole("link", { name: "sheets_sales.csv" }).click();
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toBe("Remove the 5 rows this import added from the ledger? The file and the record of this import stay.");
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Revert" }).click();
  await expect(page.getByTestId("import-status")).toHaveText("reverted", JOB);
  await expect(page.getByRole("status").filter({ hasText: "removed from the ledger" })).toHaveText("5 rows removed from the ledger.");
  await page.goto("/transactions");
  await expect(page.getByRole("heading", { name: "The ledger is empty" })).toBeVisible();
});

test("several files of different formats upload at once and each is read on its own", async ({ page }, testInfo) => {
  await page.goto("/upload");
  await page.getByTestId("file-input").setInputFiles([
    sample("ofx", "jseutter-ofxparse__bank_medium.ofx"),
    sample("bai2", "moov-io-bai2__sample1.txt"),
    sample("pos", "pos_export_oct2025.csv"),
    sample("bai2", "venturehacks-bai2__invalid_checksum_eod.bai2"),
  ]);
  await expect(page.getByRole("list", { name: "Uploads" }).getByRole("listitem")).toHaveCount(4);

  const expected = [
    { file: "jseutter-ofxparse__bank_medium.ofx", format: "ofx", rows: "3 rows read" },
    { file: "moov-io-bai2__sample1.txt", format: "bai2", rows: "17 rows read" },
    { file: "pos_export_oct2025.csv", format: "pos", rows: "80 rows read" },
  ];
  for (const e of expected) {
    const item = page.getByRole("listitem", { name: e.file });
    await expect(item.getByTestId("import-status")).toHaveText("staged", JOB);
    await expect(item).toContainText(`Format: ${e.format}`);
    await expect(item).toContainText(e.rows);
    await expect(item.getByRole("link", { name: "Review" })).toBeVisible();
  }
  const broken = page.getByRole("listitem", { name: "venturehacks-bai2__invalid_checksum_eod.bai2" });
  await expect(broken.getByTestId("import-status")).toHaveText("failed", JOB);
  await expect(broken.getByRole("alert")).toHaveText(
    "venturehacks-bai2__invalid_checksum_eod.bai2, line 15: Expected the 49 control total of account 3333333333 to equal the sum of its 03 and 16 amounts, 8325982, found 8325983",
  );
  await page.screenshot({ path: testInfo.outputPath("upload-several.png"), fullPage: true });

  // The bank statements name accounts nobody has mapped yet: their review says so and blocks commit.
  await page.getByRole("listitem", { name: "jseutter-ofxparse__bank_medium.ofx" }).getByRole("link", { name: "Review" }).click();
  await expect(page.getByTestId("dry-run-unmapped")).toHaveText("3");
  await expect(page.getByRole("button", { name: /^Commit/ })).toBeDisabled();
  await expect(page.getByText("This import cannot be committed yet: 3 rows belong to an external account an admin has not mapped yet.")).toBeVisible();
  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile).toContainText("3 transactions");
  await page.screenshot({ path: testInfo.outputPath("review-unmapped.png"), fullPage: true });
});

test("uploading the same file again names the earlier import", async ({ page }) => {
  await page.goto("/upload");
  const input = page.getByTestId("file-input");
  const items = page.getByRole("listitem", { name: "jseutter-ofxparse__bank_medium.ofx" });
  await input.setInputFiles(sample("ofx", "jseutter-ofxparse__bank_medium.ofx"));
  await expect(items.first().getByTestId("import-status")).toHaveText("staged", JOB);
  // Choosing the very same file again fires no change event until the input is cleared.
  await input.setInputFiles([]);
  await input.setInputFiles(sample("ofx", "jseutter-ofxparse__bank_medium.ofx"));
  await expect(items).toHaveCount(2);
  // The newest upload is listed first.
  const again = items.first().getByRole("note");
  await expect(again).toContainText("This exact file was already imported on ");
  await expect(again).toContainText("by uploader@example.com (jseutter-ofxparse__bank_medium.ofx, staged).");
  await expect(again).toContainText("rows already in the ledger are recognised and skipped, so nothing is added twice.");
  await expect(items.first().getByTestId("import-status")).toHaveText("staged", JOB);
});

test("a viewer reads an import's review but has none of its actions", async ({ browser }, testInfo) => {
  const context = await browser.newContext({ storageState: storageStateOf("viewer") });
  const page = await context.newPage();
  await page.goto("/imports");
  const row = page.getByRole("table", { name: "Imports" }).getByRole("row", { name: /moov-io-bai2__sample1\.txt/ });
  await expect(row.getByTestId("import-status")).toHaveText("staged");
  await row.getByRole("link", { name: "moov-io-bai2__sample1.txt" }).click();
  await expect(page.getByRole("heading", { name: "moov-io-bai2__sample1.txt" })).toBeVisible();
  await expect(page.getByTestId("dry-run-total")).toHaveText("17");
  await expect(page.getByRole("button")).toHaveText(["Sign out"]);
  await page.screenshot({ path: testInfo.outputPath("review-viewer.png"), fullPage: true });
  await context.close();
});

test("an unknown import shows a friendly page", async ({ page }) => {
  await page.goto("/imports/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("heading", { name: "Import not found" })).toBeVisible();
  await page.goto("/imports/not-an-id");
  await expect(page.getByRole("heading", { name: "Import not found" })).toBeVisible();
});
