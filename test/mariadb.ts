/**
 * A real MariaDB server for the SQL connector's MySQL tests: Debian's /usr/sbin/mariadbd
 * (test/ensure-mariadb.sh installs it), a fresh data directory, listening on 127.0.0.1 on a free port,
 * with a root password; stopped and removed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";

const MARIADBD = "/usr/sbin/mariadbd";

export interface MariaDbServer {
  /** mysql://root:<password>@127.0.0.1:<port> (no database). */
  rootUrl: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startMariaDb(): Promise<MariaDbServer> {
  if (!fs.existsSync(MARIADBD)) throw new Error(`${MARIADBD} is missing: run test/ensure-mariadb.sh (npm test does) to install Debian's mariadb-server.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-mariadb-"));
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  const data = path.join(dir, "data");
  execFileSync("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, ...asRoot, "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "ignore" });
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    MARIADBD,
    ["--no-defaults", `--datadir=${data}`, ...asRoot, "--bind-address=127.0.0.1", `--port=${port}`, `--socket=${path.join(dir, "sock")}`, `--pid-file=${path.join(dir, "pid")}`, "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=16M"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const password = randomBytes(12).toString("hex");
    const deadline = Date.now() + 30_000;
    let admin: mysql.Connection | undefined;
    while (!admin) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited (${child.exitCode}):\n${output}`);
      try {
        // A fresh install lets root in from this machine without a password.
        admin = await mysql.createConnection({ host: "127.0.0.1", port, user: "root" });
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`mariadbd did not answer on 127.0.0.1:${port}: ${(error as Error).message}\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await admin.query("create user if not exists 'root'@'127.0.0.1'");
    await admin.query("grant all privileges on *.* to 'root'@'127.0.0.1' with grant option");
    for (const host of ["localhost", "127.0.0.1"]) await admin.query(`alter user 'root'@'${host}' identified by ?`, [password]);
    await admin.end();
    return { rootUrl: `mysql://root:${password}@127.0.0.1:${port}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
