/** `inflow db dump --tenant SLUG [--out FILE]` and `inflow db restore FILE [--replace]` (lib/db/backup.ts). */
import { parseArgs } from "node:util";
import { dumpTenant, restoreTenant } from "@/lib/db/backup";

const USAGE = "Usage: inflow db dump --tenant SLUG [--out FILE]\n       inflow db restore FILE [--replace]\n";

export async function runBackup(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: args.slice(1), allowPositionals: true, options: { tenant: { type: "string" }, out: { type: "string" }, replace: { type: "boolean", default: false } } });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (args[0] === "dump") {
    if (!values.tenant || positionals.length > 0) {
      process.stderr.write(USAGE);
      return 2;
    }
    const out = values.out ?? `${values.tenant}-${new Date().toISOString().replace(/[:.]/g, "-")}.inflow.gz`;
    const result = await dumpTenant(values.tenant, out);
    const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
    console.log(`Dumped tenant "${values.tenant}" to ${result.file}: ${total} rows in ${Object.keys(result.rows).length} tables, ${result.rawFiles} raw files.`);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1 || values.tenant || values.out) {
    process.stderr.write(USAGE);
    return 2;
  }
  const result = await restoreTenant(file, { replace: values.replace });
  const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
  console.log(`Restored tenant "${result.tenant.slug}"${result.replaced ? " (replacing its data)" : ""}: ${total} rows, ${result.rawFiles} raw files.`);
  return 0;
}
