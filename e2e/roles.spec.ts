import { expect, test } from "@playwright/test";
import { ROLES, sample, storageStateOf, type Role } from "./support";
import fs from "node:fs";

const NAV: Record<Role, string[]> = {
  admin: ["Overview", "Upload", "Imports", "Transactions", "Duplicate review", "Accounts", "Connections", "Members", "Audit log"],
  reviewer: ["Overview", "Imports", "Transactions", "Duplicate review", "Accounts"],
  uploader: ["Overview", "Upload", "Imports", "Transactions", "Accounts"],
  viewer: ["Overview", "Imports", "Transactions", "Accounts"],
};

for (const role of ROLES) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: storageStateOf(role) });

    test("the navigation shows exactly what the role may do", async ({ page }, testInfo) => {
      await page.goto("/");
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(NAV[role]);
      await page.screenshot({ path: testInfo.outputPath(`overview-${role}.png`), fullPage: true });
    });
  });
}

test.describe("a viewer", () => {
  test.use({ storageState: storageStateOf("viewer") });

  test("has no upload action, by navigation or by URL", async ({ page }) => {
    await page.goto("/upload");
    await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
    await expect(page.getByTestId("file-input")).toHaveCount(0);
  });

  test("is refused by the upload API with 403", async ({ page }) => {
    const response = await page.request.post("/api/imports", {
      multipart: { file: { name: "sheets_sales.csv", mimeType: "text/csv", buffer: fs.readFileSync(sample("csv", "sheets_sales.csv")) } },
    });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.message).toBe("Your role does not allow you to upload files.");
  });

  for (const path of ["/members", "/audit", "/connections", "/duplicates"]) {
    test(`cannot reach ${path} by URL`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
    });
  }
});

test.describe("the admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("switches to another workspace where they are only a viewer", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Workspace").selectOption({ label: "Northwind Traders (viewer)" });
    await expect(page.getByTestId("current-role")).toHaveText("Role: viewer");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(NAV.viewer);
    await page.getByLabel("Workspace").selectOption({ label: "Demo Company (admin)" });
    await expect(page.getByTestId("current-role")).toHaveText("Role: admin");
  });
});
