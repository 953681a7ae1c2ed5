/**
 * A real OpenSSH server for the SFTP connector tests: Debian's /usr/sbin/sshd (test/ensure-sftp.sh
 * installs it), on 127.0.0.1 and a free port, with a generated host key and config, the built-in
 * internal-sftp subsystem, and a dedicated system user created for the run (password set with
 * chpasswd, a generated ed25519 key in a temporary authorized_keys). Removed again by stop().
 *
 * Needs root (useradd, chpasswd, sshd switching to the user). Nothing is skipped: without sshd or
 * root the tests fail with a message saying what is missing.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const SSHD = "/usr/sbin/sshd";

export interface SftpTestServer {
  host: string;
  port: number;
  username: string;
  password: string;
  /** The client's ed25519 private key (OpenSSH format) whose public half is authorized. */
  privateKey: string;
  /** The server's host key fingerprint as `ssh-keygen -lf` prints it. */
  hostKeySha256: string;
  /** The user's login folder on disk: relative SFTP paths start here. */
  home: string;
  /** Writes a file under the login folder, readable by the SFTP user; `ageSeconds` back-dates its mtime. */
  put(relativePath: string, content: string | Buffer, ageSeconds?: number): string;
  stop(): Promise<void>;
  /** What sshd logged (for failure messages). */
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Resolves once the server sends its SSH banner. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}:\n${log()}`);
    const banner = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(1000);
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("SSH-2.0"));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (banner) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port} within ${timeoutMs} ms:\n${log()}`);
}

export async function startSftpServer(): Promise<SftpTestServer> {
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: run test/ensure-sftp.sh (npm test does) to install Debian's openssh-server.`);
  if (process.getuid?.() !== 0) throw new Error("The SFTP tests create a system user for the server and must run as root.");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inflow-sftp-"));
  fs.chmodSync(dir, 0o755);
  const username = `inflowsftp${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const home = path.join(dir, "home");
  fs.mkdirSync(home, { mode: 0o755 });
  execFileSync("useradd", ["--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", username]);
  let child: ChildProcess | undefined;
  const cleanup = () => {
    try {
      execFileSync("userdel", [username], { stdio: "ignore" });
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync("chown", [`${username}:`, home]);
    execFileSync("chpasswd", { input: `${username}:${password}\n` });
    const hostKey = path.join(dir, "host_ed25519_key");
    const clientKey = path.join(dir, "client_ed25519_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "inflow-test-host", "-f", hostKey]);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "inflow-test-client", "-f", clientKey]);
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.copyFileSync(`${clientKey}.pub`, authorizedKeys);
    fs.chmodSync(authorizedKeys, 0o644);
    const hostKeySha256 = /SHA256:[A-Za-z0-9+/]+/.exec(execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]).toString())?.[0];
    if (!hostKeySha256) throw new Error("ssh-keygen printed no SHA256 fingerprint");

    // sshd's privilege separation directory; Debian's package creates it only when its service starts.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const port = await freePort();
    const config = path.join(dir, "sshd_config");
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        // The temporary directory is not owned by the test user; only this throwaway server trusts it.
        "StrictModes no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "PermitRootLogin no",
        `AllowUsers ${username}`,
        "Subsystem sftp internal-sftp",
        "MaxStartups 100",
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
    execFileSync(SSHD, ["-t", "-f", config]);
    let output = "";
    child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const log = () => output;
    await waitForBanner(port, child, log);
    const running = child;

    return {
      host: "127.0.0.1",
      port,
      username,
      password,
      privateKey: fs.readFileSync(clientKey, "utf8"),
      hostKeySha256,
      home,
      log,
      put(relativePath, content, ageSeconds = 3600) {
        const file = path.join(home, relativePath);
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
        fs.writeFileSync(file, content, { mode: 0o644 });
        const when = new Date(Date.now() - ageSeconds * 1000);
        fs.utimesSync(file, when, when);
        return file;
      },
      async stop() {
        if (running.exitCode === null) {
          const exited = new Promise((resolve) => running.once("exit", resolve));
          running.kill("SIGTERM");
          await exited;
        }
        cleanup();
      },
    };
  } catch (error) {
    child?.kill("SIGTERM");
    cleanup();
    throw error;
  }
}
