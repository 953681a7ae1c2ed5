import { readFileSync } from "node:fs";
import { collect } from "@/lib/formats/collect";
import { csvFormat } from "@/lib/formats/csv";
const [fmt, file] = process.argv.slice(2);
const mods: Record<string, any> = { csv: csvFormat };
const m = await import(`@/lib/formats/${fmt}/index.ts`).catch(() => null);
const mod = m ? Object.values(m).find((v: any) => v && v.parse && v.sniff) as any : mods[fmt!];
const bytes = readFileSync(file!);
try {
  const r = await collect(mod.parse([bytes], {}));
  console.log(JSON.stringify(r, null, 1).slice(0, 6000));
} catch (e) { console.log("ERR", e); }
