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

test.describe("an admin with an M-Pesa paybill", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("sees every connector's form generated with secrets as password fields", async ({ page }) => {
    await page.goto("/connections/new");
    const form = page.getByRole("form", { name: "New connection" });
    const expectSecret = async (label: string | RegExp) => expect(form.getByLabel(label)).toHaveAttribute("type", "password");
    await form.getByLabel("Type", { exact: true }).selectOption("quickbooks");
    await expect(form.getByLabel(/^Company ID \(realm ID\)/)).toBeVisible();
    await expect(form.getByLabel(/^Entities \(comma-separated\)/)).toHaveValue("Purchase,Deposit,SalesReceipt,Payment,BillPayment,Invoice");
    for (const label of [/^Client ID/, /^Client secret/, /^Refresh token/, /^Access token expires at \(optional\)$/]) await expectSecret(label);
    await form.getByLabel("Type", { exact: true }).selectOption("superops");
    await expect(form.getByLabel(/^SuperOps subdomain/)).toBeVisible();
    await expectSecret(/^API token/);
    await form.getByLabel("Type", { exact: true }).selectOption("google-sheets");
    await expect(form.getByLabel(/^Spreadsheet \(address or id\)/)).toBeVisible();
    await expectSecret(/^Service account email/);
    // A private key keeps its line breaks: a masked text area, not an input.
    await expect(form.getByLabel(/^Private key/)).toHaveJSProperty("tagName", "TEXTAREA");
    await form.getByLabel("Type", { exact: true }).selectOption("sql");
    await expectSecret(/^Connection string/);
    await expect(form.getByLabel(/^Connection string/)).toHaveAttribute("placeholder", /mysql:\/\//);
    await form.getByLabel("Type", { exact: true }).selectOption("mpesa-daraja");
    await expectSecret(/^Consumer key/);
    await expectSecret(/^Consumer secret/);
    // The callbacks' public address defaults to where Inflow was reached.
    await expect(form.getByLabel(/^Inflow's public address/)).toHaveValue(new URL(page.url()).origin);
  });

  test("creates it from the generated form, copies the callback address, replaces the credentials and changes a setting", async ({ page, browser, context, baseURL }, testInfo) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const name = `Paybill ${Date.now()}`;
    const first = { key: "daraja-key-first-19c2", secret: "daraja-secret-first-8e41" };
    const second = { key: "daraja-key-second-77aa", secret: "daraja-secret-second-3d05" };
    await page.goto("/connections/new");
    const form = page.getByRole("form", { name: "New connection" });
    await form.getByLabel("Type", { exact: true }).selectOption("mpesa-daraja");
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel(/^Environment/).selectOption("sandbox");
    await form.getByLabel(/^Paybill or till number/).fill("600984");
    await form.getByLabel(/^Inflow's public address/).fill("https://inflow.example.co.ke");
    await form.getByLabel(/^Consumer key/).fill(first.key);
    await form.getByLabel(/^Consumer secret/).fill(first.secret);
    await form.getByRole("button", { name: "Save connection" }).click();
    await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").at(-1)!;
    await expect(page.getByRole("heading", { name })).toBeVisible();

    // The callback addresses, for registering them on the Daraja portal by hand.
    await expect(page.getByRole("heading", { name: "Callback addresses" })).toBeVisible();
    const confirmationUrl = page.getByLabel("Confirmation URL", { exact: true });
    await expect(confirmationUrl).toHaveValue(new RegExp(`^https://inflow\\.example\\.co\\.ke/api/hooks/mpesa/${id}\\.[A-Za-z0-9_-]+/confirmation$`));
    await expect(page.getByLabel("Validation URL", { exact: true })).toHaveValue(/\/validation$/);
    const url = await confirmationUrl.inputValue();
    await page.getByRole("button", { name: "Copy the Confirmation URL" }).click();
    await expect(page.getByText("Copied.")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await page.screenshot({ path: testInfo.outputPath("mpesa-callbacks.png"), fullPage: true });

    // The credentials are never shown again.
    for (const value of [first.key, first.secret]) expect(await page.content()).not.toContain(value);

    await page.getByRole("button", { name: "Replace credentials" }).click();
    const replace = page.getByRole("form", { name: "Replace credentials" });
    await expect(replace.getByLabel(/^Consumer key/)).toHaveValue("");
    await expect(replace.getByLabel(/^Consumer secret/)).toHaveAttribute("type", "password");
    await replace.getByLabel(/^Consumer key/).fill(second.key);
    await replace.getByRole("button", { name: "Save credentials" }).click();
    // Both are needed: the browser holds the form back while one is empty.
    expect(await replace.getByLabel(/^Consumer secret/).evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    await expect(page.getByTestId("settings-result")).toHaveCount(0);
    await replace.getByLabel(/^Consumer secret/).fill(second.secret);
    await replace.getByRole("button", { name: "Save credentials" }).click();
    await expect(page.getByTestId("settings-result")).toHaveText("Credentials replaced. Test the connection to check them.");
    await expect(page.getByRole("form", { name: "Replace credentials" })).toHaveCount(0);
    for (const value of [first.key, first.secret, second.key, second.secret]) expect(await page.content()).not.toContain(value);

    // Settings: a new public address moves the callback addresses with it.
    await page.getByRole("button", { name: "Edit settings" }).click();
    const settings = page.getByRole("form", { name: "Edit settings" });
    await expect(settings.getByLabel(/^Paybill or till number/)).toHaveValue("600984");
    await settings.getByLabel(/^Inflow's public address/).fill("https://pay.example.co.ke");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByTestId("settings-result")).toHaveText("Settings saved.");
    await expect(confirmationUrl).toHaveValue(url.replace("https://inflow.example.co.ke", "https://pay.example.co.ke"));

    // The list (every member may read it) never carries the address's token; other roles cannot get it.
    const token = url.split("/")[6]!;
    const list = await page.request.get("/api/connections");
    expect(await list.text()).toContain(id);
    expect(await list.text()).not.toContain(token.split(".")[1]!);
    for (const role of ["reviewer", "viewer"] as const) {
      const other = await browser.newContext({ storageState: storageStateOf(role), ...(baseURL ? { baseURL } : {}) });
      const response = await other.request.get(`/api/connections/${id}`);
      expect(response.status(), role).toBe(403);
      expect(await response.text()).not.toContain(token.split(".")[1]!);
      const otherPage = await other.newPage();
      await otherPage.goto(`/connections/${id}`);
      await expect(otherPage.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
      expect(await otherPage.content()).not.toContain(token.split(".")[1]!);
      await other.close();
    }
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
