import { expect, test as setup } from "@playwright/test";
import { PASSWORD, ROLES, emailOf, storageStateOf } from "./support";

// Signs in once per role through the real form and saves the session for the specs.
for (const role of ROLES) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(emailOf(role));
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("current-role")).toHaveText(`Role: ${role}`);
    await page.context().storageState({ path: storageStateOf(role) });
  });
}
