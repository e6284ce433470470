// Fault suite for model downloads (issue 19, item 2): a local server on 127.0.0.1 that interrupts,
// changes, truncates, lies and downgrades, and two downloaders racing for one file. The rule each
// case checks: nothing is installed under the final name unless it is byte-identical to the file the
// server publishes.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { MockAgent, interceptors } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DownloadError } from "../../src/core/models/download/downloadFailure";
import { downloadModelFile, type DownloadRequest } from "../../src/download/modelDownloader";

const chunkBytes = 64 * 1024;
const fileBytes = 2 * 1024 * 1024;

interface FileVersion {
  bytes: Buffer;
  sha: string;
  etag: string | null;
}

function version(etag: string | null, bytes: Buffer = randomBytes(fileBytes)): FileVersion {
  return { bytes, sha: createHash("sha256").update(bytes).digest("hex"), etag };
}

interface Served {
  path: string;
  status: number;
  range?: string;
  ifRange?: string;
  bytesSent: number;
}

/** How the server behaves; reset before each test. */
interface Mode {
  /** What /cdn/model.gguf and /plain/model.gguf send. */
  file: FileVersion;
  /** What the /resolve redirect publishes (as Hugging Face does for LFS files); null: nothing. */
  linked: { sha?: string; size?: number } | null;
  /** "ignore": answer a Range with 206 whatever If-Range says (a naive server or cache). */
  ifRange: "honour" | "ignore";
  /** false: no Content-Length, the body ends when the connection closes. */
  contentLength: boolean;
  /** Per response, in order: close the connection after this many body bytes. */
  cuts: number[];
  /** Pause between chunks, so two downloaders overlap. */
  chunkDelayMs: number;
}

let v1: FileVersion;
let v2: FileVersion;
let server: http.Server;
let base: string;
let dir: string;
let served: Served[] = [];
let mode: Mode;

function serveFile(req: http.IncomingMessage, res: http.ServerResponse, log: Served): void {
  const { file } = mode;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const ifRange = req.headers["if-range"];
  const validatorMatches = ifRange === undefined || (file.etag !== null && ifRange === file.etag);
  const honoured = range !== null && (mode.ifRange === "ignore" || validatorMatches);
  const start = honoured ? Number(range[1]) : 0;
  if (start >= file.bytes.length) {
    log.status = 416;
    res.writeHead(416, { "content-range": `bytes */${file.bytes.length}` }).end();
    return;
  }
  log.status = honoured ? 206 : 200;
  const headers: Record<string, string> = { "accept-ranges": "bytes" };
  if (file.etag) headers.etag = file.etag;
  if (log.status === 206) headers["content-range"] = `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}`;
  const cut = mode.cuts.shift();
  const body = file.bytes.subarray(start);
  if (!mode.contentLength) {
    // A body delimited by the connection's end: whatever arrives before the close is "the file".
    const head = [`HTTP/1.1 ${log.status} ${log.status === 206 ? "Partial Content" : "OK"}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "connection: close", "", ""].join("\r\n");
    const sent = cut === undefined ? body : body.subarray(0, cut);
    const socket = req.socket;
    socket.write(Buffer.from(head, "latin1"));
    // Paced, with a pause before the close: undici 7.30 throws an uncatchable assert when the socket
    // ends while the client applies backpressure (nodejs/undici#5360); these tests are not about that.
    let at = 0;
    const rawPump = (): void => {
      if (socket.destroyed) return;
      if (at >= sent.length) {
        setTimeout(() => socket.end(), 50);
        return;
      }
      const end = Math.min(at + chunkBytes, sent.length);
      socket.write(sent.subarray(at, end));
      log.bytesSent += end - at;
      at = end;
      setTimeout(rawPump, 2);
    };
    rawPump();
    return;
  }
  res.writeHead(log.status, { ...headers, "content-length": String(body.length) });
  let offset = 0;
  const pump = (): void => {
    if (res.destroyed) return;
    if (offset >= body.length) {
      res.end();
      return;
    }
    if (cut !== undefined && offset >= cut) {
      res.socket?.destroy();
      return;
    }
    const end = Math.min(offset + chunkBytes, body.length, cut ?? Infinity);
    const ok = res.write(body.subarray(offset, end));
    log.bytesSent += end - offset;
    offset = end;
    const next = () => (mode.chunkDelayMs > 0 ? setTimeout(pump, mode.chunkDelayMs) : setImmediate(pump));
    if (ok) next();
    else res.once("drain", next);
  };
  pump();
}

beforeAll(async () => {
  v1 = version('"v1"');
  v2 = version('"v2"');
  server = http.createServer((req, res) => {
    const log: Served = { path: req.url ?? "", status: 0, range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined, bytesSent: 0 };
    served.push(log);
    if (req.url === "/resolve/model.gguf") {
      log.status = 302;
      const headers: Record<string, string> = { location: "/cdn/model.gguf" };
      if (mode.linked?.sha) headers["x-linked-etag"] = `"${mode.linked.sha}"`;
      if (mode.linked?.size !== undefined) headers["x-linked-size"] = String(mode.linked.size);
      res.writeHead(302, headers).end();
      return;
    }
    if (req.url === "/cdn/model.gguf" || req.url === "/plain/model.gguf") {
      serveFile(req, res, log);
      return;
    }
    log.status = 404;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(os.tmpdir(), "dsl-download-faults-"));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

let destination: string;
let testIndex = 0;
beforeEach(() => {
  served = [];
  mode = { file: v1, linked: { sha: v1.sha, size: v1.bytes.length }, ifRange: "honour", contentLength: true, cuts: [], chunkDelayMs: 0 };
  destination = path.join(dir, `model-${++testIndex}.gguf`);
});

/** The catalog has no sha256 for any entry, so the extension passes null: the server must supply it. */
function request(overrides: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    url: `${base}/resolve/model.gguf`,
    destination,
    sha256: null,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    progressIntervalMs: 0,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  return error as DownloadError;
}

/** The invariant of the whole suite: the final name holds the expected bytes or does not exist. */
async function expectInstalled(expected: FileVersion | null): Promise<void> {
  if (expected === null) {
    expect(existsSync(destination)).toBe(false);
    return;
  }
  const installed = await readFile(destination);
  expect(installed.length).toBe(expected.bytes.length);
  expect(createHash("sha256").update(installed).digest("hex")).toBe(expected.sha);
}

/** Leaves a .part of the current file behind, as a window that was closed mid-download would. */
async function interruptedDownload(afterBytes: number, overrides: Partial<DownloadRequest> = {}): Promise<void> {
  mode.cuts = [afterBytes];
  const error = await failure(downloadModelFile(request({ ...overrides, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })));
  expect(error.code).toBe("network");
  expect(existsSync(`${destination}.part`)).toBe(true);
  await expectInstalled(null);
  served = [];
}

describe("download faults: nothing is installed unless byte-identical", () => {
  it("an interrupted download resumes through If-Range and is verified against the sha256 the server published", async () => {
    await interruptedDownload(800_000);
    const result = await downloadModelFile(request());
    expect(result).toMatchObject({ verified: true, sha256: v1.sha, sizeBytes: v1.bytes.length });
    expect(result.resumedFromBytes).toBeGreaterThan(0);
    const resumed = served.find((r) => r.path === "/cdn/model.gguf")!;
    expect(resumed).toMatchObject({ status: 206, ifRange: '"v1"' });
    expect(resumed.range).toBe(`bytes=${result.resumedFromBytes}-`);
    await expectInstalled(v1);
  });

  it("a CDN without validators: resumed only because the origin still publishes the same sha256", async () => {
    const untagged = version(null, v1.bytes);
    mode.file = untagged;
    await interruptedDownload(800_000);
    const result = await downloadModelFile(request());
    expect(result).toMatchObject({ verified: true, sha256: v1.sha });
    expect(result.resumedFromBytes).toBeGreaterThan(0);
    expect(served.find((r) => r.path === "/cdn/model.gguf")).toMatchObject({ status: 206, ifRange: undefined });
    await expectInstalled(v1);
  });

  it("a file changed between attempts (new ETag) restarts from zero, even when the server ignores If-Range", async () => {
    mode.linked = null;
    const plain = { url: `${base}/plain/model.gguf`, allowUnverified: true };
    await interruptedDownload(800_000, plain);
    mode.file = v2;
    mode.ifRange = "ignore";
    const result = await downloadModelFile(request(plain));
    expect(result).toMatchObject({ verified: false, sha256: v2.sha, sizeBytes: v2.bytes.length });
    expect(served.at(-1)!.range).toBeUndefined();
    await expectInstalled(v2);
  });

  it("a file whose published sha256 changed between attempts restarts from zero, even under the same ETag", async () => {
    await interruptedDownload(800_000);
    const sameTag = version('"v1"');
    mode.file = sameTag;
    mode.linked = { sha: sameTag.sha, size: sameTag.bytes.length };
    const result = await downloadModelFile(request());
    expect(result).toMatchObject({ verified: true, sha256: sameTag.sha });
    expect(served.filter((r) => r.path === "/cdn/model.gguf").at(-1)!.range).toBeUndefined();
    await expectInstalled(sameTag);
  });

  it("a .part from a server without a validator is never continued", async () => {
    const noValidator = version(null);
    mode.file = noValidator;
    mode.linked = null;
    await interruptedDownload(800_000, { url: `${base}/plain/model.gguf`, allowUnverified: true });
    const changed = version(null);
    mode.file = changed;
    const result = await downloadModelFile(request({ url: `${base}/plain/model.gguf`, allowUnverified: true }));
    expect(served.every((r) => r.range === undefined)).toBe(true);
    expect(result.verified).toBe(false);
    await expectInstalled(changed);
  });

  it("a 200 without Content-Length that ends early is not complete when the server published the size", async () => {
    mode.contentLength = false;
    mode.cuts = [1_000_000];
    const result = await downloadModelFile(request({ allowUnverified: true }));
    expect(result).toMatchObject({ verified: true, sizeBytes: v1.bytes.length });
    expect(result.attempts).toBe(2);
    await expectInstalled(v1);
  });

  it("a 200 without Content-Length from a server that publishes neither size nor sha256 is refused", async () => {
    mode.contentLength = false;
    mode.cuts = [1_000_000];
    const error = await failure(downloadModelFile(request({ url: `${base}/plain/model.gguf`, allowUnverified: true })));
    expect(error.code).toBe("unverifiable");
    expect(error.message).toMatch(/neither its size nor its sha256/);
    expect(existsSync(`${destination}.part`)).toBe(false);
    await expectInstalled(null);
  });

  it("a body whose sha256 is not the one the server published is deleted, not installed", async () => {
    mode.file = v2; // same length as v1, other bytes
    const error = await failure(downloadModelFile(request({ allowUnverified: true })));
    expect(error.code).toBe("checksumMismatch");
    expect(error.message).toContain(v1.sha);
    expect(error.message).toMatch(/deleted/);
    expect(existsSync(`${destination}.part`)).toBe(false);
    await expectInstalled(null);
  });

  it("a server sha256 that contradicts the catalog's is refused, nothing kept", async () => {
    mode.file = v2;
    mode.linked = { sha: v2.sha, size: v2.bytes.length };
    const error = await failure(downloadModelFile(request({ sha256: v1.sha })));
    expect(error.code).toBe("checksumMismatch");
    expect(error.message).toMatch(/catalog expects/);
    expect(existsSync(`${destination}.part`)).toBe(false);
    await expectInstalled(null);
  });

  it("a complete-looking response shorter than the published size is refused", async () => {
    const short = version('"short"', v1.bytes.subarray(0, 1_500_000));
    mode.file = short;
    mode.linked = { size: v1.bytes.length };
    const error = await failure(downloadModelFile(request({ allowUnverified: true })));
    expect(error.code).toBe("sizeMismatch");
    expect(existsSync(`${destination}.part`)).toBe(false);
    await expectInstalled(null);
  });

  it("an https URL that redirects to http is refused before any byte is fetched over http", async () => {
    const agent = new MockAgent();
    agent.enableNetConnect(new URL(base).host);
    agent
      .get("https://models.example.test")
      .intercept({ path: "/resolve/model.gguf", method: "GET" })
      .reply(302, "", { headers: { location: `${base}/cdn/model.gguf`, "x-linked-etag": `"${v1.sha}"`, "x-linked-size": String(v1.bytes.length) } })
      .persist();
    // Composed with undici's redirect interceptor, as a general-purpose client would be.
    const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
    try {
      const error = await failure(downloadModelFile(request({ url: "https://models.example.test/resolve/model.gguf", allowUnverified: true, dispatcher })));
      expect(error.code).toBe("insecureRedirect");
      expect(error.message).toMatch(/http:/);
      expect(served).toHaveLength(0);
      await expectInstalled(null);
    } finally {
      await agent.close();
    }
  });

  it("two downloaders resuming one .part: one proceeds, the other is told it is busy, the file is exact", async () => {
    await interruptedDownload(600_000, { sha256: v1.sha });
    mode.chunkDelayMs = 5;
    // With a checksum (as a catalog entry that has one): each downloader verifies what it received.
    const both = () => downloadModelFile(request({ sha256: v1.sha }));
    const outcomes = await Promise.allSettled([both(), both()]);
    const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(DownloadError);
    expect((rejected[0]!.reason as DownloadError).code).toBe("busy");
    await expectInstalled(v1);
    const left = (await readdir(dir)).filter((name) => name.startsWith(path.basename(destination)) && name !== path.basename(destination));
    expect(left).toEqual([]);
  });
});
