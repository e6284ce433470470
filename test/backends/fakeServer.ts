// A small OpenAI-style server on 127.0.0.1 for what a real llama-server does not do on demand:
// other flavors' endpoints, rate limits, dropped and malformed streams, wrong answers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EngineError } from "../../src/protocol/engine.js";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> | undefined;
}

export type Route = (request: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Resolves when the client closed the connection of a request to `path` before we ended it. */
  clientClosed(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeServer(routes: Record<string, Route>): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const closedWaiters = new Map<string, (() => void)[]>();
  const closedPaths = new Set<string>();
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const path = (raw.url ?? "/").split("?")[0];
      const text = Buffer.concat(chunks).toString("utf8");
      const request: RecordedRequest = { method: raw.method ?? "GET", path, headers: raw.headers, body: text ? JSON.parse(text) : undefined };
      requests.push(request);
      res.on("close", () => {
        if (res.writableEnded) return;
        closedPaths.add(path);
        for (const resolve of closedWaiters.get(path) ?? []) resolve();
      });
      // "*" answers any route the server does not have (LM Studio answers them with 200 and an error).
      const route = routes[`${request.method} ${path}`] ?? routes["*"];
      if (!route) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
        return;
      }
      void Promise.resolve(route(request, res, raw)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clientClosed: (path) =>
      closedPaths.has(path) ? Promise.resolve() : new Promise((resolve) => closedWaiters.set(path, [...(closedWaiters.get(path) ?? []), resolve])),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The typed error a request ended with; a success or an untyped error fails the test. */
export async function engineFailure(promise: Promise<unknown>): Promise<EngineError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof EngineError) return outcome;
  throw new Error(`expected an EngineError, got ${outcome === undefined ? "success" : String(outcome)}`);
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

export function sendEvent(res: ServerResponse, payload: unknown): void {
  res.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
}

/** A whole streamed answer: chunks, then `[DONE]`. */
export function sendSse(res: ServerResponse, payloads: unknown[], options: { done?: boolean } = {}): void {
  startSse(res);
  for (const payload of payloads) sendEvent(res, payload);
  if (options.done !== false) res.write("data: [DONE]\n\n");
  res.end();
}

export const chatChunk = (content: string | null, finish: string | null = null) => ({
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }],
});

export const textChunk = (text: string, finish: string | null = null) => ({
  object: "text_completion",
  choices: [{ index: 0, text, finish_reason: finish }],
});

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(payload));
}

export const modelsRoute =
  (ownedBy: string, id = "deepseek-coder-v2-lite"): Route =>
  (_request, res) =>
    sendJson(res, 200, { object: "list", data: [{ id, object: "model", owned_by: ownedBy }] });
