/**
 * The app under test: `node bin/inflow.mjs start --no-build` on the benchmark's own data directory
 * and Postgres port. The worker runs inside the app's server process (instrumentation.ts), so that
 * process's memory is the app's and the worker's. Memory is read from /proc/<pid>/status: VmRSS
 * polled, and VmHWM (the kernel's own peak) reset through /proc/<pid>/clear_refs before each file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";

export interface RunningApp {
  baseUrl: string;
  /** The `inflow start` process we spawned. */
  launcher: ChildProcess;
  /** The process that serves HTTP and runs the worker (a descendant of the launcher). */
  serverPid: number;
  stop: () => Promise<void>;
}

function children(pid: number): number[] {
  const out: number[] = [];
  const taskDir = `/proc/${pid}/task`;
  if (!existsSync(taskDir)) return out;
  for (const task of readdirSync(taskDir)) {
    try {
      const text = readFileSync(`${taskDir}/${task}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // the task ended meanwhile
    }
  }
  return out;
}

function descendants(pid: number): number[] {
  const direct = children(pid);
  return direct.flatMap((c) => [c, ...descendants(c)]);
}

function socketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is col 1 ("0100007F:0BB8"), state 0A is LISTEN, inode is col 9
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A" && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The descendant of `root` that listens on `port`. */
function listeningPid(root: number, port: number): number | undefined {
  const inodes = socketInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of descendants(root)) {
    if (fdsOf(pid).some((target) => inodes.has(target))) return pid;
  }
  return undefined;
}

function fdsOf(pid: number): string[] {
  const out: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSafe(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1]) out.push(match[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // process gone
  }
  return out;
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

export async function startApp(options: { port: number; env: NodeJS.ProcessEnv; log: (line: string) => void; timeoutMs?: number }): Promise<RunningApp> {
  const { port } = options;
  const launcher = spawn(process.execPath, ["bin/inflow.mjs", "start", "--no-build", "--port", String(port)], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      // Surface the app's own errors (job failures) as they happen; the rest stays quiet.
      if (/error|failed/i.test(line)) options.log(`  [app] ${line}`);
    }
  };
  launcher.stdout?.on("data", keep);
  launcher.stderr?.on("data", keep);
  let exited: number | null = null;
  launcher.on("exit", (code) => {
    exited = code ?? 1;
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    if (exited !== null) throw new Error(`inflow start exited with ${exited}:\n${output.slice(-30).join("\n")}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the app did not answer /api/health within ${(options.timeoutMs ?? 180_000) / 1000} s:\n${output.slice(-30).join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const launcherPid = launcher.pid;
  if (launcherPid === undefined) throw new Error("inflow start has no pid");
  const serverPid = listeningPid(launcherPid, port);
  if (serverPid === undefined) throw new Error(`no descendant of ${launcherPid} listens on port ${port}`);

  const stop = async () => {
    if (exited !== null) return;
    const done = new Promise<void>((resolve) => launcher.once("exit", () => resolve()));
    launcher.kill("SIGTERM");
    const timer = setTimeout(() => {
      // A server that ignores SIGTERM for 20 s is killed, and only the processes we started.
      for (const pid of [serverPid, launcherPid]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }, 20_000);
    await done;
    clearTimeout(timer);
  };
  return { baseUrl, launcher, serverPid, stop };
}

/**
 * `node bin/inflow.mjs worker`: the job worker as a process of its own, for an app started with
 * INFLOW_WORKER=off. Ready once it says it is processing jobs.
 */
export async function startWorkerProcess(options: { env: NodeJS.ProcessEnv; log: (line: string) => void; timeoutMs?: number }): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["bin/inflow.mjs", "worker"], { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let exited: number | null = null;
  child.on("exit", (code) => {
    exited = code ?? 1;
  });
  const output: string[] = [];
  let ready = false;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      if (line.includes("processing jobs")) ready = true;
      if (/error|failed/i.test(line)) options.log(`  [worker] ${line}`);
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!ready) {
    if (exited !== null) throw new Error(`inflow worker exited with ${exited}:\n${output.slice(-30).join("\n")}`);
    if (Date.now() > deadline) throw new Error(`inflow worker did not start:\n${output.slice(-30).join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  const stop = async () => {
    if (exited !== null) return;
    const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await done;
    clearTimeout(timer);
  };
  return { pid, stop };
}

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match?.[1] ? Number(match[1]) * 1024 : Number.NaN;
}

export function rssBytes(pid: number): number {
  return statusField(pid, "VmRSS");
}

/**
 * Samples a process's RSS every `intervalMs` until stopped; resets the kernel's peak (VmHWM) first when
 * allowed, so the peak is this window's and not the process's lifetime's.
 */
export function memorySampler(pid: number, intervalMs = 50): { stop: () => { peakRss: number; peakHwm: number | null; samples: number } } {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    hwmReset = true;
  } catch {
    // not permitted: the polled VmRSS alone is reported
  }
  let peak = rssBytes(pid);
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
      samples++;
    } catch {
      // process gone: the scenario will notice
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      let hwm: number | null = null;
      try {
        peak = Math.max(peak, rssBytes(pid));
        if (hwmReset) hwm = statusField(pid, "VmHWM");
      } catch {
        // gone
      }
      return { peakRss: hwm === null ? peak : Math.max(peak, hwm), peakHwm: hwm, samples };
    },
  };
}
