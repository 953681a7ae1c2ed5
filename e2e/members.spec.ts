import { expect, test } from "@playwright/test";
import { storageStateOf } from "./support";

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("adds a member, changes their role, cannot demote the last admin, and removes the member", async ({ page }, testInfo) => {
    const email = `new-colleague-${Date.now()}@example.com`;
    await page.goto("/members");
    await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
    const table = page.getByRole("table", { name: "Members" });
    await expect(table.getByRole("row")).toHaveCount(5); // header + the four demo people

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Role for the new member").selectOption("uploader");
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByRole("status").filter({ hasText: "was added" })).toContainText(`${email} was added as uploader.`);
    await expect(page.getByTestId("one-time-password")).toHaveText(/^[A-Za-z0-9_-]{16}$/);
    await expect(table.getByRole("row")).toHaveCount(6);
    await expect(page.getByLabel(`Role of ${email}`)).toHaveValue("uploader");
    await page.screenshot({ path: testInfo.outputPath("members-added.png"), fullPage: true });

    // Adding the same person again is refused in words.
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(`${email} is already a member of this workspace.`);

    await page.getByLabel(`Role of ${email}`).selectOption("reviewer");
    await expect(page.getByRole("status").filter({ hasText: "is now" })).toHaveText(`${email} is now reviewer.`);
    await page.reload();
    await expect(page.getByLabel(`Role of ${email}`)).toHaveValue("reviewer");

    // The only admin cannot be demoted.
    await page.getByLabel("Role of admin@example.com").selectOption("viewer");
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("This is the workspace's last admin. Make someone else an admin first.");
    await expect(page.getByLabel("Role of admin@example.com")).toHaveValue("admin");

    // The audit log has the changes.
    await page.goto("/audit");
    await page.getByLabel("Concerning").selectOption({ label: "Members" });
    const log = page.getByRole("table", { name: "Audit log" });
    await expect(log.getByRole("row").nth(1)).toContainText("Member role changed");
    await expect(log.getByRole("row").nth(1)).toContainText("uploader → reviewer");
    await expect(log.getByRole("row").nth(2)).toContainText("Member added");

    await page.goto("/members");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Remove ${email}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "was removed" })).toHaveText(`${email} was removed from this workspace.`);
    await expect(table.getByRole("row")).toHaveCount(5);
  });
});

test.describe("a viewer", () => {
  test.use({ storageState: storageStateOf("viewer") });

  test("cannot reach members by navigation, URL or API", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" })).toHaveCount(0);
    await page.goto("/members");
    await expect(page.getByRole("heading", { name: "Not part of your role" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add member" })).toHaveCount(0);
    expect((await page.request.get("/api/members")).status()).toBe(403);
    expect((await page.request.post("/api/members", { data: { email: "x@example.com", role: "admin" } })).status()).toBe(403);
  });
});
