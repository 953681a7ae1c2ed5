/**
 * `npx inflow <command>`: database administration and file tools, against the embedded default or
 * DATABASE_URL. Each command returns an exit code; nothing here calls process.exit mid-flight, so the
 * pool and an embedded cluster this process started are always closed cleanly.
 */
import { closePool } from "@/lib/db/pool";
import { RefusedError, runMigrations, runReset, runSeed } from "@/lib/db/admin";

const USAGE = `Usage: inflow <command>

  start [--port N] [--no-build] [--fresh]
                             migrate, seed the demo tenant, build if needed and run the app

  db migrate                 apply pending migrations in supabase/migrations
  db seed [--allow-external] create the demo tenant and its four users
  db reset [--allow-external] drop everything and migrate + seed again
  db dump --tenant SLUG [--out FILE]
                             write one tenant's data and raw files to FILE (default <slug>-<time>.inflow.gz)
  db restore FILE [--replace]
                             put a dumped tenant back, in one transaction; --replace deletes its current data first
  import FILE --tenant SLUG --as EMAIL [--account NAME] [--format NAME] [--exclude-invalid] [--dry-run] [--json]
                             run a file through the import pipeline as that user
  worker                     run the job worker (parsing, commits) in this process
  parse FILE [--format NAME] [--no-integrity] [--json]
                             parse a statement file and print the canonical records
`;

async function db(args: string[]): Promise<number> {
  const allowExternal = args.includes("--allow-external");
  switch (args[0]) {
    case "migrate": {
      const applied = await runMigrations();
      console.log(applied.length ? `Applied ${applied.length} migration(s).` : "Database is up to date.");
      return 0;
    }
    case "seed":
      await runMigrations(() => undefined);
      await runSeed({ allowExternal });
      return 0;
    case "reset":
      await runReset({ allowExternal });
      await runMigrations();
      await runSeed({ allowExternal });
      return 0;
    case "dump":
    case "restore": {
      const { runBackup } = await import("./backup");
      return runBackup(args);
    }
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "db":
        return await db(rest);
      case "start": {
        const { runStart } = await import("./start");
        return await runStart(rest);
      }
      case "import": {
        const { runImport } = await import("./import");
        return await runImport(rest, process.stdout, process.stderr);
      }
      case "worker": {
        const { runWorker } = await import("./worker");
        return await runWorker();
      }
      case "parse": {
        const { runParse } = await import("./parse");
        return await runParse(rest, process.stdout);
      }
      default:
        process.stderr.write(USAGE);
        return command === undefined || command === "help" || command === "--help" ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof RefusedError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await closePool();
  }
}
