/**
 * The benchmark's HTTP client for a running Inflow: signs in like the browser does (session cookie),
 * names the workspace with the x-inflow-tenant header, streams uploads as multipart from disk (the
 * file is never held in memory, as a browser would not either) and waits for imports to settle.
 */
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";

export interface ImportState {
  id: string;
  status: string;
  metrics: Record<string, unknown>;
  error: { code: string; message: string } | null;
  dryRun: { new: number; exactDuplicates: number; likelyDuplicates: number; errors: number; unmapped: number; excluded: number; total: number } | null;
}

export class InflowClient {
  private cookie = "";
  // One keep-alive agent, as a browser keeps its connections: latency figures then measure the app, not TCP setup.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(readonly baseUrl: string) {}

  async signIn(email: string, password: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (!response.ok) throw new Error(`sign-in as ${email} failed: ${response.status} ${await response.text()}`);
    this.cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
  }

  /** One request; resolves with status, parsed JSON body and the elapsed milliseconds. */
  request<T>(method: string, path: string, tenant: string, body?: unknown): Promise<{ status: number; body: T; ms: number }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            cookie: this.cookie,
            "x-inflow-tenant": tenant,
            ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, ms });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async json<T>(method: string, path: string, tenant: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.request<T>(method, path, tenant, body);
    if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${typeof answer === "string" ? answer.slice(0, 300) : JSON.stringify(answer).slice(0, 300)}`);
    return answer;
  }

  /** POST /api/imports with the file streamed from disk; answers the import id. */
  upload(file: string, tenant: string, fields: Record<string, string>): Promise<{ importId: string }> {
    const boundary = `----inflowbench${Math.random().toString(16).slice(2)}`;
    const fieldParts = Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("");
    const head = Buffer.from(`${fieldParts}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(file)}"\r\nContent-Type: text/csv\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const length = head.length + statSync(file).size + tail.length;
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.baseUrl}/api/imports`,
        {
          method: "POST",
          agent: this.agent,
          headers: { cookie: this.cookie, "x-inflow-tenant": tenant, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 0) !== 202) reject(new Error(`upload of ${basename(file)} answered ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve(JSON.parse(text) as { importId: string });
          });
        },
      );
      req.on("error", reject);
      req.write(head);
      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      stream.on("error", reject);
      stream.pipe(req, { end: false });
      stream.on("end", () => req.end(tail));
    });
  }

  getImport(importId: string, tenant: string): Promise<ImportState> {
    return this.json<ImportState>("GET", `/api/imports/${importId}`, tenant);
  }

  /** Polls until the import reaches one of `statuses` (or fails); throws after `timeoutMs`. */
  async waitFor(importId: string, tenant: string, statuses: string[], timeoutMs: number, intervalMs = 100): Promise<ImportState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.getImport(importId, tenant);
      if (statuses.includes(state.status)) return state;
      if (state.status === "failed") throw new Error(`import ${importId} failed: ${state.error?.code} ${state.error?.message}`);
      if (state.status === "staged" && !statuses.includes("staged") && state.error) {
        throw new Error(`import ${importId} went back to review: ${state.error.code} ${state.error.message}`);
      }
      if (Date.now() > deadline) throw new Error(`import ${importId} still ${state.status} after ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
