import { expect, test } from "@playwright/test";
import { sample, storageStateOf } from "./support";

// The statement names an account nobody has mapped: its review blocks commit until an admin maps the
// account on the Accounts page (here by creating the internal account in the same step). At the end
// the import is reverted and the mapping removed again, so later specs find the sample unmapped.
const FILE = "jseutter-ofxparse__bank_medium.ofx";
const EXTERNAL_ID = "160000100/12300 000012345678";
const JOB = { timeout: 20_000 };

test("an admin maps a waiting statement account by creating an account, and the uploader's commit unblocks", async ({ browser }, testInfo) => {
  const name = `Chequing CAD ${Date.now().toString(36)}`;
  const uploaderContext = await browser.newContext({ storageState: storageStateOf("uploader") });
  const adminContext = await browser.newContext({ storageState: storageStateOf("admin") });
  let importId: string | undefined;
  try {
    // The uploader uploads the statement; its review says why it cannot be committed.
    const up = await uploaderContext.newPage();
    await up.goto("/upload");
    await up.getByTestId("file-input").setInputFiles(sample("ofx", FILE));
    const item = up.getByRole("listitem", { name: FILE }).first();
    await expect(item.getByTestId("import-status")).toHaveText("staged", JOB);
    await item.getByRole("link", { name: "Review" }).click();
    await expect(up.getByRole("heading", { name: FILE })).toBeVisible();
    importId = up.url().split("/").pop();
    await expect(up.getByTestId("dry-run-unmapped")).toHaveText("3");
    const commit = up.getByRole("button", { name: /^Commit/ });
    await expect(commit).toBeDisabled();
    await expect(up.getByText("This import cannot be committed yet: 3 rows belong to an external account an admin has not mapped yet.")).toBeVisible();

    // The admin sees the account waiting, with its rows and the import they are in.
    const admin = await adminContext.newPage();
    await admin.goto("/accounts");
    await expect(admin.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();
    const card = admin.getByRole("list", { name: "External accounts waiting" }).getByRole("listitem", { name: EXTERNAL_ID });
    await expect(card).toContainText("bank 160000100 · account 12300 000012345678 · checking · CAD");
    const mine = card.getByRole("list", { name: `Imports waiting on ${EXTERNAL_ID}` }).getByRole("listitem").filter({ has: admin.locator(`a[href="/imports/${importId}"]`) });
    await expect(mine).toHaveText(`${FILE} · 3 rows waiting`);
    // Other specs may have left this sample staged too: the total is 3 rows for each import listed.
    const waitingImports = await card.getByRole("list", { name: `Imports waiting on ${EXTERNAL_ID}` }).getByRole("listitem").count();
    await expect(card.getByTestId("rows-waiting")).toHaveText(`${3 * waitingImports} rows waiting in ${waitingImports === 1 ? "1 import" : `${waitingImports} imports`}`);

    // Create the account in the same step, from the statement's own details.
    await card.getByLabel("Create a new account").check();
    await expect(card.getByLabel("Currency")).toHaveValue("CAD");
    await expect(card.getByLabel("Kind")).toHaveValue("bank");
    await expect(card.getByLabel("Account number (optional)")).toHaveValue("12300 000012345678");
    await expect(card.getByLabel("Name")).toHaveValue("Checking …5678 (CAD)");
    await card.getByLabel("Name").fill(name);
    await admin.screenshot({ path: testInfo.outputPath("accounts-waiting.png"), fullPage: true });
    await card.getByRole("button", { name: "Create account and map" }).click();
    await expect(admin.getByTestId("accounts-notice")).toContainText(`Mapped ${EXTERNAL_ID} to ${name}.`);
    await expect(card).toHaveCount(0);
    const internal = admin.getByRole("table", { name: "Internal accounts" }).getByRole("row", { name: new RegExp(name) });
    await expect(internal).toContainText("0 CAD");
    const mapped = admin.getByRole("table", { name: "Mapped statement accounts" }).getByRole("row", { name: new RegExp(EXTERNAL_ID) });
    await expect(mapped).toContainText(name);

    // The uploader's commit is enabled now and adds the three rows.
    await up.reload();
    await expect(up.getByTestId("dry-run-unmapped")).toHaveText("0");
    await expect(up.getByTestId("dry-run-new")).toHaveText("3");
    await expect(commit).toBeEnabled();
    await commit.click();
    await expect(up.getByTestId("import-status")).toHaveText("committed", JOB);

    // The new account's balance comes from the committed rows.
    await admin.reload();
    await expect(internal.getByRole("cell")).toHaveText([name, "12300 000012345678", "Bank", "3", "-345.27 CAD"]);
    await admin.screenshot({ path: testInfo.outputPath("accounts-mapped.png"), fullPage: true });

    // Take the rows out again and remove the mapping through the page.
    expect((await up.request.post(`/api/imports/${importId}/revert`)).status()).toBe(200);
    importId = undefined;
    await admin.reload();
    admin.once("dialog", (dialog) => void dialog.accept());
    await mapped.getByRole("button", { name: `Remove the mapping of ${EXTERNAL_ID}` }).click();
    await expect(admin.getByTestId("accounts-notice")).toHaveText(`Removed the mapping of ${EXTERNAL_ID}.`);
    await expect(mapped).toHaveCount(0);
    await expect(internal.getByRole("cell").nth(4)).toHaveText("0 CAD");
  } finally {
    if (importId) await uploaderContext.request.post(`/api/imports/${importId}/revert`);
    await uploaderContext.close();
    await adminContext.close();
  }
});

test("everyone else reads the accounts but cannot change them", async ({ browser }, testInfo) => {
  for (const role of ["viewer", "uploader", "reviewer"] as const) {
    const context = await browser.newContext({ storageState: storageStateOf(role) });
    const page = await context.newPage();
    await page.goto("/accounts");
    const internal = page.getByRole("table", { name: "Internal accounts" });
    await expect(internal.getByRole("row", { name: /Operating account/ })).toContainText("10200123456");
    await expect(internal.getByRole("row", { name: /M-Pesa till/ })).toContainText("KES");
    await expect(page.getByText("Only an admin can change them.")).toBeVisible();
    await expect(page.getByRole("button", { name: "New account" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /map/i })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Remove/ })).toHaveCount(0);
    if (role === "viewer") await page.screenshot({ path: testInfo.outputPath("accounts-viewer.png"), fullPage: true });
    await context.close();
  }
});
