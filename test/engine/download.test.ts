// The model downloader against an HTTP server on 127.0.0.1 that serves the synthetic GGUF and
// misbehaves on request: drops, stalls, errors, redirects, a changed file.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DownloadError } from "../../src/core/models/download/downloadFailure";
import type { DownloadProgress } from "../../src/core/models/download/progressMeter";
import { nodeFileWriter, type DownloadFileWriter } from "../../src/download/fileWriter";
import { downloadModelFile, type DownloadRequest } from "../../src/download/modelDownloader";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index";

const chunkBytes = 64 * 1024;

interface ServedRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
  bytesSent: number;
}

/** Per-test behaviour of the server; reset before each test. */
interface Behaviour {
  /** Statuses answered (and consumed) before the file is served. */
  statuses: { status: number; headers?: Record<string, string> }[];
  /** Close the connection after this many body bytes of the next file response (once). */
  dropAfterBytes?: number;
  /** Pause this long after this many body bytes of the next file response (once). */
  stall?: { afterBytes: number; ms: number };
  /** Never answer the next request's headers (once). */
  silent?: boolean;
  etag: string;
}

let modelBytes: Buffer;
let modelSha: string;
let server: http.Server;
let base: string;
let dir: string;
let served: ServedRequest[] = [];
let behaviour: Behaviour;

function serveFile(req: http.IncomingMessage, res: http.ServerResponse, log: ServedRequest): void {
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const ifRange = req.headers["if-range"];
  if (range && (!ifRange || ifRange === behaviour.etag)) {
    start = Number(range[1]);
    if (start >= modelBytes.length) {
      log.status = 416;
      res.writeHead(416, { "content-range": `bytes */${modelBytes.length}` }).end();
      return;
    }
    log.status = 206;
    res.writeHead(206, {
      "content-length": modelBytes.length - start,
      "content-range": `bytes ${start}-${modelBytes.length - 1}/${modelBytes.length}`,
      etag: behaviour.etag,
    });
  } else {
    log.status = 200;
    res.writeHead(200, { "content-length": modelBytes.length, etag: behaviour.etag, "accept-ranges": "bytes" });
  }
  const drop = behaviour.dropAfterBytes;
  const stall = behaviour.stall;
  behaviour.dropAfterBytes = undefined;
  behaviour.stall = undefined;
  let offset = start;
  let stalled = false;
  const pump = (): void => {
    while (offset < modelBytes.length) {
      if (res.destroyed) return;
      if (drop !== undefined && log.bytesSent >= drop) {
        res.socket?.destroy();
        return;
      }
      if (stall && !stalled && log.bytesSent >= stall.afterBytes) {
        stalled = true;
        const timer = setTimeout(pump, stall.ms);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      const end = Math.min(offset + chunkBytes, modelBytes.length);
      const ok = res.write(modelBytes.subarray(offset, end));
      log.bytesSent += end - offset;
      offset = end;
      if (!ok) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

beforeAll(async () => {
  modelBytes = await readFile(await ensureSyntheticModel());
  modelSha = createHash("sha256").update(modelBytes).digest("hex");
  server = http.createServer((req, res) => {
    const log: ServedRequest = { path: req.url ?? "", range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined, status: 0, bytesSent: 0 };
    served.push(log);
    if (req.url === "/redirect") {
      log.status = 302;
      res.writeHead(302, { location: "/model.gguf" }).end();
      return;
    }
    if (req.url === "/missing.gguf") {
      log.status = 404;
      res.writeHead(404).end("not found");
      return;
    }
    if (behaviour.silent) {
      behaviour.silent = false;
      return; // headers never come; the client's timeout closes the socket
    }
    const next = behaviour.statuses.shift();
    if (next) {
      log.status = next.status;
      res.writeHead(next.status, next.headers).end("error page");
      return;
    }
    serveFile(req, res, log);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(os.tmpdir(), "dsl-download-"));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

let testIndex = 0;
let destination: string;
beforeEach(() => {
  served = [];
  behaviour = { statuses: [], etag: '"v1"' };
  destination = path.join(dir, `model-${++testIndex}.gguf`);
});

const sleeps: number[] = [];
function request(overrides: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    url: `${base}/model.gguf`,
    destination,
    sha256: modelSha,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    sleep: async (ms) => void sleeps.push(ms),
    progressIntervalMs: 0,
    ...overrides,
  };
}

async function sha256Of(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

async function expectDownloadError(promise: Promise<unknown>, code: string): Promise<DownloadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  expect((error as DownloadError).code).toBe(code);
  return error as DownloadError;
}

const totalSent = () => served.reduce((sum, r) => sum + r.bytesSent, 0);

describe("model downloader", () => {
  it("downloads the whole file, reports bytes, speed and ETA, and verifies the sha256", async () => {
    const events: DownloadProgress[] = [];
    const result = await downloadModelFile(request({ onProgress: (p) => events.push(p) }));
    expect(result).toMatchObject({ path: destination, sizeBytes: modelBytes.length, sha256: modelSha, verified: true, resumedFromBytes: 0, attempts: 1 });
    expect(await sha256Of(destination)).toBe(modelSha);
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(existsSync(`${destination}.part.json`)).toBe(false);
    const downloading = events.filter((e) => e.phase === "downloading");
    expect(downloading.length).toBeGreaterThan(10);
    for (let i = 1; i < downloading.length; i++) expect(downloading[i]!.receivedBytes).toBeGreaterThanOrEqual(downloading[i - 1]!.receivedBytes);
    expect(downloading.at(-1)).toMatchObject({ receivedBytes: modelBytes.length, totalBytes: modelBytes.length });
    expect(downloading.some((e) => e.bytesPerSecond > 0 && e.etaSeconds !== null)).toBe(true);
    expect(events.at(-1)!.phase).toBe("verifying");
  });

  it("resumes a connection dropped mid-file: byte-identical, nothing downloaded twice beyond one chunk", async () => {
    behaviour.dropAfterBytes = Math.floor(modelBytes.length * 0.4);
    const result = await downloadModelFile(request());
    expect(await sha256Of(destination)).toBe(modelSha);
    expect(result.attempts).toBe(2);
    expect(served).toHaveLength(2);
    expect(served[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(served[1]!.ifRange).toBe('"v1"');
    expect(served[1]!.status).toBe(206);
    expect(totalSent()).toBeLessThanOrEqual(modelBytes.length + chunkBytes);
  });

  it("cancels, keeps the .part, and resumes from it in a later session", async () => {
    const controller = new AbortController();
    const cancelled = downloadModelFile(
      request({ signal: controller.signal, onProgress: (p) => p.receivedBytes > modelBytes.length / 3 && controller.abort() }),
    );
    const error = await expectDownloadError(cancelled, "cancelled");
    expect(error.message).toMatch(/resume/);
    expect(existsSync(destination)).toBe(false);
    const kept = (await stat(`${destination}.part`)).size;
    expect(kept).toBeGreaterThan(modelBytes.length / 3);

    served = [];
    const result = await downloadModelFile(request());
    expect(result.resumedFromBytes).toBe(kept);
    expect(served[0]!.range).toBe(`bytes=${kept}-`);
    expect(totalSent()).toBe(modelBytes.length - kept);
    expect(await sha256Of(destination)).toBe(modelSha);
  });

  it("starts over when the file changed on the server since the .part was written", async () => {
    const controller = new AbortController();
    await expectDownloadError(
      downloadModelFile(request({ signal: controller.signal, onProgress: (p) => p.receivedBytes > 1_000_000 && controller.abort() })),
      "cancelled",
    );
    behaviour.etag = '"v2"';
    served = [];
    const result = await downloadModelFile(request());
    expect(served[0]!.status).toBe(200);
    expect(result.sizeBytes).toBe(modelBytes.length);
    expect(await sha256Of(destination)).toBe(modelSha);
  });

  it("rejects a wrong sha256, deletes the download and says so", async () => {
    const error = await expectDownloadError(downloadModelFile(request({ sha256: "0".repeat(64) })), "checksumMismatch");
    expect(error.message).toMatch(/deleted/);
    expect(error.message).toContain(modelSha);
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("refuses to call a download verified without a checksum", async () => {
    // No sha256 in the catalog: the server is asked (it publishes none here), and no byte is kept.
    await expectDownloadError(downloadModelFile(request({ sha256: null })), "noChecksum");
    expect(served).toHaveLength(1);
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(existsSync(destination)).toBe(false);
    const result = await downloadModelFile(request({ sha256: null, allowUnverified: true }));
    expect(result.verified).toBe(false);
    expect(result.sha256).toBe(modelSha);
  });

  it("404: a typed error naming the URL, no retries", async () => {
    const error = await expectDownloadError(downloadModelFile(request({ url: `${base}/missing.gguf` })), "notFound");
    expect(error.message).toContain(`${base}/missing.gguf`);
    expect(error.message).toMatch(/Select Model File/);
    expect(served).toHaveLength(1);
  });

  it("401/403: access refused, no retries", async () => {
    behaviour.statuses = [{ status: 403 }];
    const error = await expectDownloadError(downloadModelFile(request()), "unauthorized");
    expect(error.message).toMatch(/HTTP 403.*browser/);
    expect(served).toHaveLength(1);
  });

  it("500: retried with backoff, then a typed error; a passing 500 is survived", async () => {
    sleeps.length = 0;
    behaviour.statuses = [{ status: 500 }, { status: 502 }, { status: 503 }];
    const error = await expectDownloadError(downloadModelFile(request()), "serverError");
    expect(error.message).toContain(`${base}/model.gguf`);
    expect(served).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);

    served = [];
    behaviour.statuses = [{ status: 500 }];
    await downloadModelFile(request({ destination: `${destination}-2` }));
    expect(served.map((r) => r.status)).toEqual([500, 200]);
  });

  it("429: waits as long as Retry-After asks, then continues", async () => {
    sleeps.length = 0;
    behaviour.statuses = [{ status: 429, headers: { "retry-after": "2" } }];
    await downloadModelFile(request());
    expect(sleeps).toEqual([2000]);
    expect(await sha256Of(destination)).toBe(modelSha);
  });

  it("a server that stalls mid-body is abandoned after the body timeout and resumed", async () => {
    behaviour.stall = { afterBytes: 2 * chunkBytes, ms: 10_000 };
    const result = await downloadModelFile(request({ bodyTimeoutMs: 300 }));
    expect(result.attempts).toBe(2);
    expect(served[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(await sha256Of(destination)).toBe(modelSha);
  });

  it("a server that never answers gives a stalled error after the retries", async () => {
    behaviour.silent = true;
    const error = await expectDownloadError(
      downloadModelFile(request({ headersTimeoutMs: 300, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })),
      "stalled",
    );
    expect(error.message).toContain(`${base}/model.gguf`);
  });

  it("follows redirects", async () => {
    const result = await downloadModelFile(request({ url: `${base}/redirect` }));
    expect(served.map((r) => r.status)).toEqual([302, 200]);
    expect(result.verified).toBe(true);
  });

  it("checks free disk space before writing anything", async () => {
    const error = await expectDownloadError(
      downloadModelFile(request({ expectedSizeBytes: modelBytes.length, freeBytes: async () => 1024 * 1024 })),
      "insufficientSpace",
    );
    expect(error.message).toMatch(/needs .* more and .* has 1\.0 MB free/);
    expect(served).toHaveLength(0);
    await expectDownloadError(downloadModelFile(request({ freeBytes: async () => 1024 * 1024 })), "insufficientSpace");
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it("a full disk mid-download leaves no file claimed complete, and resumes once space is back", async () => {
    const limit = 10 * 1024 * 1024;
    let written = 0;
    const fullDisk: DownloadFileWriter = {
      async open(file, append) {
        const real = await nodeFileWriter.open(file, append);
        return {
          ...real,
          async write(chunk) {
            if (written + chunk.byteLength > limit) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
            written += chunk.byteLength;
            await real.write(chunk);
          },
        };
      },
    };
    const error = await expectDownloadError(downloadModelFile(request({ writer: fullDisk })), "diskFull");
    expect(error.message).toMatch(/free some space/);
    expect(existsSync(destination)).toBe(false);
    expect((await stat(`${destination}.part`)).size).toBeLessThanOrEqual(limit);

    const result = await downloadModelFile(request());
    expect(result.resumedFromBytes).toBe(written);
    expect(await sha256Of(destination)).toBe(modelSha);
  });
});
