// Downloads a model file: resumable (HTTP Range on a .part file plus a small .part.json that says
// which URL and server version it holds), retried with backoff, checked for disk space first, and
// verified by sha256 before the final name exists — a file under the final name is always complete.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleepFor } from "node:timers/promises";
import { Agent, interceptors, request, type Dispatcher } from "undici";
import {
  DownloadError,
  backoffDelayMs,
  defaultRetryPolicy,
  httpStatusError,
  networkError,
  type RetryPolicy,
} from "../core/download/downloadFailure.js";
import { parseRetryAfter } from "../core/http/retryAfter.js";
import { ProgressMeter, formatBytes, type DownloadProgress } from "../core/download/progressMeter.js";
import { freeDiskBytes, nodeFileWriter, type DownloadFileWriter } from "./fileWriter.js";

export interface DownloadRequest {
  url: string;
  /** The final path; the download lives at `<destination>.part` until it is verified. */
  destination: string;
  /** Expected sha256 (hex). null: nothing to verify against — then `allowUnverified` must be set. */
  sha256: string | null;
  /** Accept a download without a checksum; the result then says `verified: false`. */
  allowUnverified?: boolean;
  /** The catalog's size, for the disk-space check before the server has answered. */
  expectedSizeBytes?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  retry?: RetryPolicy;
  /** No response headers within this time counts as a stalled, retried attempt. */
  headersTimeoutMs?: number;
  /** No body bytes within this time counts as a stalled, retried attempt. */
  bodyTimeoutMs?: number;
  /** Space left free beside the download (other files need some too). */
  reserveBytes?: number;
  progressIntervalMs?: number;
  // Injected for tests:
  writer?: DownloadFileWriter;
  freeBytes?: (directory: string) => Promise<number>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  dispatcher?: Dispatcher;
}

export interface DownloadResult {
  path: string;
  sizeBytes: number;
  sha256: string;
  /** True only when the bytes matched the expected sha256. */
  verified: boolean;
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFromBytes: number;
  attempts: number;
}

interface PartState {
  url: string;
  /** ETag or Last-Modified of the response the part came from: a changed file must not be continued. */
  validator: string | null;
  totalBytes: number | null;
}

let defaultDispatcher: Dispatcher | undefined;
function redirectingDispatcher(): Dispatcher {
  defaultDispatcher ??= new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
  return defaultDispatcher;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function readPartState(file: string): Promise<PartState | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as PartState;
  } catch {
    return null;
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

function parseContentRange(header: string | undefined): { start: number; total: number | null } | null {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? { start: Number(match[1]), total: match[2] === "*" ? null : Number(match[2]) } : null;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function writeError(error: unknown, url: string, partPath: string, bytesOnDisk: number): DownloadError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new DownloadError(
      "diskFull",
      `The disk filled up while downloading ${url}. ${formatBytes(bytesOnDisk)} are kept in ${partPath}; free some space and run “Download Model…” again to resume.`,
      url,
    );
  }
  return new DownloadError("writeFailed", `Cannot write ${partPath} (${(error as Error).message}). Check the model folder (deepseekLocal.model.folder).`, url);
}

export async function downloadModelFile(req: DownloadRequest): Promise<DownloadResult> {
  const { url, destination, signal } = req;
  if (!req.sha256 && !req.allowUnverified) {
    throw new DownloadError("noChecksum", `No sha256 is known for ${url}, so a download of it cannot be verified.`, url);
  }
  const expectedSha = req.sha256?.toLowerCase() ?? null;
  const policy = req.retry ?? defaultRetryPolicy;
  const writer = req.writer ?? nodeFileWriter;
  const now = req.now ?? (() => performance.now());
  const sleep = req.sleep ?? ((ms: number, s?: AbortSignal) => sleepFor(ms, undefined, { signal: s }));
  const freeBytes = req.freeBytes ?? freeDiskBytes;
  const reserve = req.reserveBytes ?? 64 * 1024 * 1024;
  const interval = req.progressIntervalMs ?? 250;
  const partPath = `${destination}.part`;
  const statePath = `${destination}.part.json`;
  const directory = path.dirname(destination);
  await mkdir(directory, { recursive: true });

  const cancelled = () => new DownloadError("cancelled", `The download of ${url} was cancelled; run “Download Model…” again to resume it.`, url);
  const ensureSpace = async (bytesToCome: number) => {
    const free = await freeBytes(directory);
    if (bytesToCome + reserve > free) {
      throw new DownloadError(
        "insufficientSpace",
        `Not enough disk space for ${url}: it needs ${formatBytes(bytesToCome)} more and ${directory} has ${formatBytes(free)} free. Free some space or choose another folder in deepseekLocal.model.folder.`,
        url,
      );
    }
  };

  let state = await readPartState(statePath);
  let offset = await fileSize(partPath);
  if (offset > 0 && state?.url !== url) {
    // A part from another URL (or with no record of its origin) cannot be continued safely.
    await rm(partPath, { force: true });
    offset = 0;
    state = null;
  }
  const resumedFromBytes = offset;
  if (req.expectedSizeBytes) await ensureSpace(Math.max(0, (state?.totalBytes ?? req.expectedSizeBytes) - offset));

  let hash = createHash("sha256");
  if (offset > 0) await hashFile(partPath, hash);
  const meter = new ProgressMeter();
  let totalBytes = state?.totalBytes ?? req.expectedSizeBytes ?? null;
  let lastReport = -Infinity;
  const report = (force = false) => {
    const at = now();
    meter.sample(at, offset);
    if (!force && at - lastReport < interval) return;
    lastReport = at;
    req.onProgress?.(meter.progress(offset, totalBytes));
  };
  report(true);

  const restartFromZero = async () => {
    await rm(partPath, { force: true });
    offset = 0;
    hash = createHash("sha256");
    state = null;
  };

  /** One HTTP request; resolves when the file is complete, throws on anything else. */
  const attempt = async (): Promise<void> => {
    const headers: Record<string, string> = { ...req.headers };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (state?.validator) headers["if-range"] = state.validator;
    }
    const response = await request(url, {
      method: "GET",
      headers,
      signal,
      dispatcher: req.dispatcher ?? redirectingDispatcher(),
      headersTimeout: req.headersTimeoutMs ?? 30_000,
      bodyTimeout: req.bodyTimeoutMs ?? 60_000,
    });
    const { statusCode, body } = response;
    const responseHeaders = response.headers as Record<string, string | string[] | undefined>;
    if (statusCode === 416 && offset > 0) {
      body.resume();
      // Our part is at or past the end: complete if it matches the recorded size, else start over.
      if (state?.totalBytes === offset) return;
      await restartFromZero();
      throw new DownloadError("incomplete", `The partial download of ${url} did not match the server's file; starting again.`, url, true);
    }
    if (statusCode !== 200 && statusCode !== 206) {
      body.resume();
      throw httpStatusError(statusCode, url, parseRetryAfter(headerValue(responseHeaders, "retry-after"), Date.now()));
    }
    let total: number | null;
    if (statusCode === 206) {
      const range = parseContentRange(headerValue(responseHeaders, "content-range"));
      if (!range || range.start !== offset) {
        body.resume();
        await restartFromZero();
        throw new DownloadError("incomplete", `The server sent the wrong part of ${url}; starting again.`, url, true);
      }
      total = range.total;
    } else {
      // 200 to a range request: the server ignored it or the file changed (If-Range). Start over.
      if (offset > 0) await restartFromZero();
      const length = Number(headerValue(responseHeaders, "content-length"));
      total = Number.isFinite(length) && length > 0 ? length : null;
    }
    totalBytes = total;
    if (total !== null) await ensureSpace(total - offset);
    state = { url, validator: headerValue(responseHeaders, "etag") ?? headerValue(responseHeaders, "last-modified") ?? null, totalBytes: total };
    await writeFile(statePath, JSON.stringify(state));

    const file = await writer.open(partPath, offset > 0);
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        try {
          await file.write(bytes);
        } catch (error) {
          body.destroy();
          throw writeError(error, url, partPath, offset);
        }
        hash.update(bytes);
        offset += bytes.byteLength;
        report();
      }
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
    }
    if (total !== null && offset !== total) {
      throw new DownloadError("incomplete", `The connection to ${url} ended after ${formatBytes(offset)} of ${formatBytes(total)}.`, url, true);
    }
  };

  let attempts = 0;
  let failuresInARow = 0;
  for (;;) {
    if (signal?.aborted) throw cancelled();
    attempts++;
    const before = offset;
    try {
      await attempt();
      break;
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      const failure = error instanceof DownloadError ? error : (networkError(error, url) ?? error);
      if (!(failure instanceof DownloadError) || !failure.transient) throw failure;
      failuresInARow = offset > before ? 1 : failuresInARow + 1;
      if (failuresInARow >= policy.attempts) throw failure;
      try {
        await sleep(backoffDelayMs(policy, failuresInARow, failure.retryAfterMs), signal);
      } catch {
        throw cancelled();
      }
    }
  }
  report(true);

  req.onProgress?.({ ...meter.progress(offset, totalBytes, "verifying"), etaSeconds: null });
  const sha256 = hash.digest("hex");
  if (expectedSha && sha256 !== expectedSha) {
    await rm(partPath, { force: true });
    await rm(statePath, { force: true });
    throw new DownloadError(
      "checksumMismatch",
      `The file downloaded from ${url} is not the expected one (sha256 ${sha256}, expected ${expectedSha}); it was deleted. Run “Download Model…” again; if it repeats, the catalog or the server is wrong.`,
      url,
    );
  }
  await rename(partPath, destination);
  await rm(statePath, { force: true });
  return { path: destination, sizeBytes: offset, sha256, verified: expectedSha !== null, resumedFromBytes, attempts };
}
