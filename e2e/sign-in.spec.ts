import { expect, test } from "@playwright/test";
import { PASSWORD } from "./support";

test.describe("sign-in", () => {
  const cases = [
    { name: "a wrong password", email: "uploader@example.com", password: "not-the-password", message: "That email and password do not match an Inflow account." },
    { name: "an unknown email", email: "nobody@example.com", password: PASSWORD, message: "That email and password do not match an Inflow account." },
    { name: "a malformed email", email: "not-an-email", password: PASSWORD, message: "Enter an email address such as you@company.com" },
  ];
  for (const c of cases) {
    test(`shows a clear error for ${c.name}`, async ({ page }) => {
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(c.email);
      await page.getByLabel("Password").fill(c.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("form").getByRole("alert")).toHaveText(c.message);
      await expect(page).toHaveURL(/\/sign-in$/);
    });
  }

  test("sends a signed-out visitor to sign-in", async ({ page }) => {
    await page.goto("/transactions");
    await expect(page).toHaveURL(/\/sign-in$/);
  });
});
