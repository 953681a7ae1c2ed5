import fs from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { sample, storageStateOf } from "./support";

// The ledger needs rows: the uploader imports the short M-Pesa export through the API first, and
// reverts it afterwards so later specs see the ledger as they expect.
const FILE = "mpesa_simple_export.csv";
let importId = "";
let uploader: APIRequestContext;

async function waitForStatus(api: APIRequestContext, id: string, wanted: string[]): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const json = (await (await api.get(`/api/imports/${id}`)).json()) as { status: string };
    if (wanted.includes(json.status)) return json.status;
    if (json.status === "failed") throw new Error(`import ${id} failed`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`import ${id} never reached ${wanted.join("/")}`);
}

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateOf("uploader") });
  uploader = context.request;
  const { accounts } = (await (await uploader.get("/api/accounts")).json()) as { accounts: { id: string; name: string }[] };
  const till = accounts.find((a) => a.name === "M-Pesa till")!;
  const upload = await uploader.post("/api/imports", {
    multipart: { accountId: till.id, file: { name: FILE, mimeType: "text/csv", buffer: fs.readFileSync(sample("mpesa", FILE)) } },
  });
  expect(upload.status()).toBe(202);
  importId = ((await upload.json()) as { importId: string }).importId;
  await waitForStatus(uploader, importId, ["staged"]);
  expect((await uploader.post(`/api/imports/${importId}/rows/exclude`, { data: { rowNos: "errors", excluded: true } })).ok()).toBe(true);
  expect((await uploader.post(`/api/imports/${importId}/commit`)).status()).toBe(202);
  await waitForStatus(uploader, importId, ["committed"]);
});

test.afterAll(async () => {
  if (!importId) return;
  await uploader.post(`/api/imports/${importId}/revert`);
  await waitForStatus(uploader, importId, ["reverted"]);
});

test.use({ storageState: storageStateOf("viewer") });

test("a viewer filters the ledger, sees the totals and downloads exactly the filtered rows as CSV", async ({ page }, testInfo) => {
  await page.goto("/transactions");
  const table = page.getByRole("table", { name: "Transactions" });
  const totals = page.getByRole("table", { name: "Totals for this filter" });
  await expect(table.getByRole("row")).toHaveCount(6); // header + 5 rows (the repeated receipt is one transaction)
  await expect(table.getByRole("row").nth(1)).toContainText("2025-10-13");
  await expect(table.getByRole("row").nth(1)).toContainText("2500 KES");
  await expect(page.getByTestId("total-count-KES")).toHaveText("5");
  await expect(page.getByTestId("total-credits-KES")).toHaveText("7500");
  await expect(page.getByTestId("total-debits-KES")).toHaveText("-4340");
  await expect(page.getByTestId("total-net-KES")).toHaveText("3160");
  await page.screenshot({ path: testInfo.outputPath("transactions-all.png"), fullPage: true });

  // Table-driven: each filter as a user types it, the rows and totals they see, and the URL that keeps it.
  const cases: { fill: Record<string, string>; rows: string[]; count: string; net: string; url: RegExp }[] = [
    { fill: { Search: "received" }, rows: ["2500 KES", "5000 KES"], count: "2", net: "7500", url: /q=received/ },
    { fill: { "Amount from": "-1000", "Amount to": "-1" }, rows: ["-100 KES", "-740 KES"], count: "2", net: "-840", url: /min=-1000&max=-1/ },
    { fill: { From: "2025-10-02", To: "2025-10-03" }, rows: ["-100 KES", "-740 KES"], count: "2", net: "-840", url: /from=2025-10-02&to=2025-10-03/ },
  ];
  for (const c of cases) {
    await page.goto("/transactions");
    for (const [label, value] of Object.entries(c.fill)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(c.url);
    await expect(table.getByRole("row")).toHaveCount(c.rows.length + 1);
    for (const [i, amount] of c.rows.entries()) await expect(table.getByRole("row").nth(i + 1).getByRole("cell").nth(4)).toHaveText(amount);
    await expect(page.getByTestId("total-count-KES")).toHaveText(c.count);
    await expect(page.getByTestId("total-net-KES")).toHaveText(c.net);
  }

  // The URL is the view: opening it again shows the same filter, and the CSV holds exactly those rows.
  await page.goto("/transactions?q=received&accountId=");
  await expect(page.getByLabel("Search")).toHaveValue("received");
  await expect(totals.getByRole("row", { name: /KES/ })).toContainText("7500");
  await page.screenshot({ path: testInfo.outputPath("transactions-filtered.png"), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^transactions-demo-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
  const lines = csv.trimEnd().split("\r\n").map((l) => l.split(",").slice(0, 8).join(","));
  expect(lines).toEqual([
    "booking_date,value_date,amount,currency,description,counterparty,account,source",
    expect.stringMatching(/^2025-10-13,[^,]*,2500,KES,Received from Mary Atieno,[^,]*,M-Pesa till,/),
    expect.stringMatching(/^2025-10-01,[^,]*,5000,KES,Received from John,[^,]*,M-Pesa till,/),
  ]);

  // Nothing matches: a clear empty state, totals say so.
  await page.goto("/transactions?q=no-such-payee");
  await expect(page.getByRole("heading", { name: "No transactions match these filters" })).toBeVisible();
  await expect(totals).toContainText("No rows match.");
});

test("a bad filter in the URL is explained in words", async ({ page }) => {
  await page.goto("/transactions?min=12abc");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("min: must be an amount such as 1500 or -20.50");
});
