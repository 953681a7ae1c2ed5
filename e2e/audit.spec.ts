import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { sample, storageStateOf } from "./support";

// An upload to audit: the uploader sends a file through the API (it is only staged, never committed).
const FILE = "mpesa_full_statement_oct2025.csv";

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("sees the audit entries of an upload: who, when, what", async ({ page, browser }, testInfo) => {
    const uploader = (await browser.newContext({ storageState: storageStateOf("uploader") })).request;
    const upload = await uploader.post("/api/imports", {
      multipart: { file: { name: FILE, mimeType: "text/csv", buffer: fs.readFileSync(sample("mpesa", FILE)) } },
    });
    expect(upload.status()).toBe(202);
    const { importId } = (await upload.json()) as { importId: string };

    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    const log = page.getByRole("table", { name: "Audit log" });
    const entry = log.getByRole("row", { name: new RegExp(FILE.replace(/\./g, "\\.")) }).first();
    await expect(entry).toBeVisible();
    await expect(entry.getByRole("cell").nth(1)).toHaveText("uploader@example.com");
    await expect(entry.getByRole("cell").nth(2)).toContainText("File uploaded");
    await expect(entry.getByRole("cell").nth(2)).toContainText(`import ${importId}`);
    await expect(entry.getByRole("cell").nth(3)).toContainText(`fileName:${FILE}`);
    await expect(entry.getByRole("cell").nth(0).locator("time")).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T/);
    await page.screenshot({ path: testInfo.outputPath("audit.png"), fullPage: true });

    // Filters: only uploads; then only member changes (none yet in this spec's world → or some): each row matches.
    await page.getByLabel("Action").selectOption({ label: "File uploaded" });
    await expect(log.getByRole("row").nth(1)).toContainText("File uploaded");
    for (const cell of await log.getByRole("row").locator("td:nth-child(3) > div:first-child").allTextContents()) expect(cell).toBe("File uploaded");
    await page.getByLabel("Action").selectOption({ label: "Import reverted" });
    await page.getByLabel("Concerning").selectOption({ label: "Members" });
    await expect(page.getByRole("heading", { name: "No actions match these filters" })).toBeVisible();
  });
});

test.describe("a viewer", () => {
  test.use({ storageState: storageStateOf("viewer") });

  test("cannot reach the audit log by navigation, URL or API", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" })).toHaveCount(0);
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Audit log" })).toHaveCount(0);
    const response = await page.request.get("/api/audit");
    expect(response.status()).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Your role does not allow you to view the audit log.");
  });
});
