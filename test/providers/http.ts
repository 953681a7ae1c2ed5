/**
 * A JSON HTTP server on 127.0.0.1 (random port) for provider test servers: every request is recorded
 * (method, path, query, headers, parsed body) so tests can assert exactly what a connector sent, and
 * answers queued with `failNext` come before the provider's normal answer (rate limits, outages).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface JsonServer {
  url: string;
  requests: RecordedRequest[];
  /** Answers the next request to `path` with this, instead of the provider's normal answer. */
  failNext(path: string, answer: Answer): void;
  close(): Promise<void>;
}

export async function startJsonServer(handle: (request: RecordedRequest) => Answer): Promise<JsonServer> {
  const requests: RecordedRequest[] = [];
  const faults: { path: string; answer: Answer }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const request: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(request);
      const faultIndex = faults.findIndex((f) => f.path === url.pathname);
      let answer: Answer;
      if (faultIndex >= 0) {
        answer = faults[faultIndex]!.answer;
        faults.splice(faultIndex, 1);
      } else {
        try {
          answer = handle(request);
        } catch (error) {
          answer = { status: 500, body: { message: (error as Error).message } };
        }
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (path, answer) => faults.push({ path, answer }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
