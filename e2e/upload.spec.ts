import { expect, test } from "@playwright/test";
import { sample, storageStateOf } from "./support";

test.use({ storageState: storageStateOf("uploader") });

test("an uploader imports the sales sample and sees its rows with exact amounts", async ({ page }, testInfo) => {
  await page.goto("/upload");
  await expect(page.getByRole("heading", { name: "Upload" })).toBeVisible();
  await page.getByLabel("Import into account").selectOption({ label: "M-Pesa till (KES)" });
  await page.getByTestId("file-input").setInputFiles(sample("csv", "sheets_sales.csv"));

  const result = page.getByRole("status").filter({ hasText: "rows imported" });
  await expect(result).toContainText("sheets_sales.csv: 5 of 6 rows imported, 1 need attention.");
  await expect(result).toContainText('line 6, field "Amount": expected an amount such as 1500 or -12.50, found nothing.');
  await page.screenshot({ path: testInfo.outputPath("upload.png"), fullPage: true });

  await page.getByRole("link", { name: "View transactions" }).click();
  const table = page.getByRole("table", { name: "Transactions" });
  await expect(table.getByRole("row")).toHaveCount(6); // header + 5 rows
  const rows = table.getByRole("row");
  await expect(rows.nth(1)).toContainText("2025-10-05");
  await expect(rows.nth(1)).toContainText("-120000 KES");
  await expect(table).toContainText("Repair service");
  await expect(table.getByRole("row", { name: /Repair service/ })).toContainText("1500 KES");
  // Two identical purchases on one day stay two rows.
  await expect(table.getByRole("row", { name: /Laptop Case/ })).toHaveCount(2);
  await page.screenshot({ path: testInfo.outputPath("transactions.png"), fullPage: true });

  await page.goto("/imports");
  await expect(page.getByRole("table", { name: "Imports" }).getByRole("row", { name: /sheets_sales\.csv/ })).toContainText("uploader@example.com");
});
