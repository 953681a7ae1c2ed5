import { expect, test } from "@playwright/test";
import { storageStateOf } from "./support";

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("creates an SFTP connection with a bad host and sees Test connection fail in plain words", async ({ page }, testInfo) => {
    const name = `Bank drop folder ${Date.now()}`;
    const password = "never-shown-again-7f3a";
    await page.goto("/connections");
    await expect(page.getByRole("heading", { name: "Connections", exact: true })).toBeVisible();
    await page.getByRole("link", { name: "Add a connection" }).first().click();
    await expect(page.getByRole("heading", { name: "Add a connection" })).toBeVisible();

    const form = page.getByRole("form", { name: "New connection" });
    await expect(form.getByLabel("Type", { exact: true })).toHaveValue("sftp");
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Host", { exact: true }).fill("sftp.invalid");
    await form.getByLabel("Username", { exact: true }).fill("inflow");
    // Generated from the schema: defaults filled in, credentials as password fields.
    await expect(form.getByLabel(/^Port/)).toHaveValue("22");
    await expect(form.getByLabel(/^Password/)).toHaveAttribute("type", "password");

    // Without credentials the API names the missing one, beside its field.
    await form.getByRole("button", { name: "Save connection" }).click();
    await expect(form.getByRole("alert")).toHaveText("secrets.password: Enter a password or a private key");

    await form.getByLabel(/^Password/).fill(password);
    await form.getByRole("button", { name: "Save connection" }).click();
    await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByTestId("connection-health")).toHaveText("Not synced yet.");

    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByTestId("test-result")).toHaveText('Connection failed. The server name "sftp.invalid" could not be found. Check the host name.');
    await page.screenshot({ path: testInfo.outputPath("connection-test-failed.png"), fullPage: true });

    // The password is never shown again: not on this page, not in the list.
    expect(await page.content()).not.toContain(password);
    await page.getByRole("link", { name: "All connections" }).click();
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row.getByRole("cell")).toHaveText([name, "SFTP drop folder", "Active", "Manual (Sync now only)", "Never", "When someone syncs it", "Not synced yet.", ""]);
    expect(await page.content()).not.toContain(password);
    await page.screenshot({ path: testInfo.outputPath("connections-list.png"), fullPage: true });
  });
});

test.describe("a viewer", () => {
  test.use({ storageState: storageStateOf("viewer") });

  test("cannot reach the connections pages, by navigation or by URL, nor their API", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" })).toHaveCount(0);
    for (const url of ["/connections", "/connections/new"]) {
      await page.goto(url);
      await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
      await expect(page.getByRole("button", { name: "Save connection" })).toHaveCount(0);
    }
    const response = await page.request.put("/api/connections/notifications", { data: { webhookUrl: "https://example.com/hook" } });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.message).toBe("Your role does not allow you to manage connections.");
  });
});
