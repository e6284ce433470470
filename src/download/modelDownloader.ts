// Downloads a model file so that the final name only ever holds the server's exact file: a .part
// file locked against other windows, resumed only when the server still has the same version
// (If-Range with a strong validator, checked again on the answer), hashed while it is written, and
// renamed into place only after its size and sha256 are verified. The expected sha256 comes from the
// catalog or from the server itself (Hugging Face publishes it for LFS files); see issue 19.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Dispatcher } from "undici";
import {
  DownloadError,
  backoffDelayMs,
  defaultRetryPolicy,
  httpStatusError,
  networkError,
  type RetryPolicy,
} from "../core/download/downloadFailure.js";
import { ProgressMeter, formatBytes, type DownloadProgress } from "../core/download/progressMeter.js";
import {
  parseByteCount,
  parseContentRange,
  parseUnsatisfiedRangeTotal,
  resumeValidator,
  sameKindValidator,
  singleHeader,
} from "../core/download/serverFileFacts.js";
import { parseRetryAfter } from "../core/http/retryAfter.js";
import { freeDiskBytes, nodeFileWriter, type DownloadFileWriter } from "./fileWriter.js";
import { acquirePartLock, type PartLockOptions } from "./partLock.js";
import { readPartState, writePartState, type PartState } from "./partState.js";
import { getFollowingRedirects } from "./redirectingGet.js";

export interface DownloadRequest {
  url: string;
  /** The final path; the download lives at `<destination>.part` until it is verified. */
  destination: string;
  /**
   * Expected sha256 (hex) from the catalog. null: use the one the server publishes (X-Linked-Etag);
   * when neither exists the download is refused unless `allowUnverified` is set.
   */
  sha256: string | null;
  /**
   * Accept a file with no known sha256 at all. Its size must still be known (server-stated) and
   * match; the result then says `verified: false`.
   */
  allowUnverified?: boolean;
  /** The catalog's approximate size, for the disk-space check before the server has answered. */
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
  lock?: PartLockOptions;
}

export interface DownloadResult {
  path: string;
  sizeBytes: number;
  sha256: string;
  /** True only when the bytes matched an expected sha256 (the catalog's or the server's). */
  verified: boolean;
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFromBytes: number;
  attempts: number;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
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

const sha256Pattern = /^[0-9a-f]{64}$/;
const manualHint = "You can also download the file yourself and pick it with “Select Model File…”.";

export async function downloadModelFile(req: DownloadRequest): Promise<DownloadResult> {
  const catalogSha = req.sha256?.toLowerCase() ?? null;
  if (catalogSha !== null && !sha256Pattern.test(catalogSha)) throw new Error(`Not a sha256: ${req.sha256}`);
  await mkdir(path.dirname(req.destination), { recursive: true });
  const lock = await acquirePartLock(`${req.destination}.part.lock`, req.url, req.lock);
  try {
    return await downloadLocked(req, catalogSha, () => lock.assertHeld());
  } finally {
    await lock.release();
  }
}

async function downloadLocked(req: DownloadRequest, catalogSha: string | null, assertLockHeld: () => Promise<void>): Promise<DownloadResult> {
  const { url, destination, signal } = req;
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

  let state: PartState | null = await readPartState(statePath);
  let offset = await fileSize(partPath);
  // A part can be continued only when we know where it came from and can tell whether the server
  // still has that version: a validator for If-Range, or the sha256 the origin publishes (it names the
  // content exactly). Anything else could splice two files together.
  const continuable =
    state !== null &&
    state.url === url &&
    (state.validator !== null || state.sha256 !== null) &&
    (state.totalBytes === null || offset <= state.totalBytes) &&
    (catalogSha === null || state.sha256 === null || state.sha256 === catalogSha);
  if (offset > 0 && !continuable) await rm(partPath, { force: true });
  if (offset === 0 || !continuable) {
    offset = 0;
    state = null;
  }
  const resumedFromBytes = offset;
  if (req.expectedSizeBytes) await ensureSpace(Math.max(0, (state?.totalBytes ?? req.expectedSizeBytes) - offset));

  let hash = createHash("sha256");
  if (offset > 0) await hashFile(partPath, hash);
  // What the finished file must be, from the catalog, the part's record and the server's answers.
  let expectedSha = catalogSha ?? state?.sha256 ?? null;
  let expectedTotal = state?.totalBytes ?? null;

  const meter = new ProgressMeter();
  let lastReport = -Infinity;
  const report = (force = false) => {
    const at = now();
    meter.sample(at, offset);
    if (!force && at - lastReport < interval) return;
    lastReport = at;
    req.onProgress?.(meter.progress(offset, expectedTotal ?? req.expectedSizeBytes ?? null));
  };
  report(true);

  const restartFromZero = async () => {
    await rm(partPath, { force: true });
    offset = 0;
    hash = createHash("sha256");
    state = null;
    expectedSha = catalogSha;
    expectedTotal = null;
  };
  /** Another attempt, from zero, may succeed (the file changed, the server sent the wrong piece). */
  const startOver = async (why: string) => {
    await restartFromZero();
    return new DownloadError("incomplete", `${why}; starting again.`, url, true);
  };
  /** Nothing from this server can be installed: delete what was kept and say why. */
  const refuse = async (code: "checksumMismatch" | "sizeMismatch" | "unverifiable", message: string) => {
    await restartFromZero();
    await rm(statePath, { force: true });
    return new DownloadError(code, message, url);
  };
  const changedOnServer = `${url} changed on the server since the partial download began`;

  /** One HTTP request; resolves when the file is complete, throws on anything else. */
  const attempt = async (): Promise<void> => {
    // The bytes on disk must be exactly the bytes hashed (a failed write may have left part of a chunk).
    const onDisk = await fileSize(partPath);
    if (onDisk > offset) await truncate(partPath, offset);
    else if (onDisk < offset) await restartFromZero();
    if (offset > 0 && !state?.validator && !state?.sha256) await restartFromZero();
    const resumed = state !== null && offset > 0 ? state : null;
    const headers: Record<string, string> = { ...req.headers };
    if (resumed) {
      headers.range = `bytes=${offset}-`;
      if (resumed.validator) headers["if-range"] = resumed.validator;
    }
    const response = await getFollowingRedirects(url, {
      headers,
      signal,
      dispatcher: req.dispatcher,
      headersTimeoutMs: req.headersTimeoutMs ?? 30_000,
      bodyTimeoutMs: req.bodyTimeoutMs ?? 60_000,
    });
    const { statusCode, body, linked } = response;
    const responseHeaders = response.headers;
    const discard = () => void body.dump().catch(() => undefined);

    // The file the server publishes now must be the catalog's, and the one the part came from.
    if (linked.sha256 !== null && catalogSha !== null && linked.sha256 !== catalogSha) {
      discard();
      throw await refuse(
        "checksumMismatch",
        `The server publishes sha256 ${linked.sha256} for ${url}, but the catalog expects ${catalogSha}: it is not the file the catalog names, and nothing was installed. Update the extension. ${manualHint}`,
      );
    }
    if (
      resumed &&
      ((linked.sha256 !== null && resumed.sha256 !== null && linked.sha256 !== resumed.sha256) ||
        (linked.sizeBytes !== null && resumed.totalBytes !== null && linked.sizeBytes !== resumed.totalBytes) ||
        // Resumed without If-Range: only the same published sha256 says it is still the same file.
        (resumed.validator === null && linked.sha256 === null))
    ) {
      discard();
      throw await startOver(changedOnServer);
    }
    if (statusCode === 416 && resumed) {
      const total = parseUnsatisfiedRangeTotal(singleHeader(responseHeaders, "content-range"));
      discard();
      // Our part is already whole if it is exactly the size recorded; the checks below still verify it.
      if (resumed.totalBytes === offset && (total === null || total === offset)) return;
      throw await startOver(`The partial download of ${url} did not match the server's file`);
    }
    if (statusCode !== 200 && statusCode !== 206) {
      discard();
      throw httpStatusError(statusCode, url, parseRetryAfter(singleHeader(responseHeaders, "retry-after"), Date.now()));
    }

    let stated: number | null;
    if (statusCode === 206) {
      const range = parseContentRange(singleHeader(responseHeaders, "content-range"));
      const length = parseByteCount(singleHeader(responseHeaders, "content-length"));
      if (!range || range.start !== offset || range.end !== range.total - 1 || (length !== null && length !== range.end - range.start + 1)) {
        discard();
        throw await startOver(`The server sent the wrong part of ${url}`);
      }
      if (resumed) {
        // A server or cache that ignored If-Range would send another version's bytes: check ourselves.
        const validatorNow = resumed.validator === null ? null : sameKindValidator(responseHeaders, resumed.validator);
        if ((validatorNow !== null && validatorNow !== resumed.validator) || (resumed.totalBytes !== null && range.total !== resumed.totalBytes)) {
          discard();
          throw await startOver(changedOnServer);
        }
      }
      stated = range.total;
    } else {
      // 200 to a range request: the server ignored it or the file changed (If-Range). Start over.
      if (resumed) await restartFromZero();
      stated = parseByteCount(singleHeader(responseHeaders, "content-length"));
    }
    if (linked.sizeBytes !== null && stated !== null && linked.sizeBytes !== stated) {
      discard();
      throw await refuse("sizeMismatch", `The server publishes ${linked.sizeBytes} bytes for ${url} but sends ${stated}; nothing was installed. Run “Download Model…” again later. ${manualHint}`);
    }
    const continuing = offset > 0 ? resumed : null;
    const serverSha = linked.sha256 ?? continuing?.sha256 ?? null;
    expectedSha = catalogSha ?? serverSha;
    expectedTotal = linked.sizeBytes ?? stated ?? continuing?.totalBytes ?? null;
    if (expectedSha === null && !req.allowUnverified) {
      discard();
      throw new DownloadError(
        "noChecksum",
        `Neither the catalog nor the server gives a sha256 for ${url}, so a download of it could not be verified; nothing was downloaded. ${manualHint}`,
        url,
      );
    }
    if (expectedSha === null && expectedTotal === null) {
      discard();
      throw await refuse(
        "unverifiable",
        `The server states neither its size nor its sha256 for ${url}, so a download cut short could not be told from a complete one; nothing was installed. ${manualHint}`,
      );
    }
    if (expectedTotal !== null) await ensureSpace(expectedTotal - offset);
    state = { url, validator: continuing ? continuing.validator : resumeValidator(responseHeaders), totalBytes: expectedTotal, sha256: serverSha };
    await writePartState(statePath, state);

    const file = await writer.open(partPath, offset > 0);
    let overflow = false;
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        if (expectedTotal !== null && offset + bytes.byteLength > expectedTotal) {
          overflow = true;
          body.destroy();
          break;
        }
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
    if (overflow) {
      throw await refuse("sizeMismatch", `The server sent more than the ${expectedTotal} bytes it stated for ${url}; the download was deleted. Run “Download Model…” again later.`);
    }
    if (expectedTotal !== null && offset < expectedTotal) {
      throw new DownloadError("incomplete", `The connection to ${url} ended after ${formatBytes(offset)} of ${formatBytes(expectedTotal)}.`, url, true);
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

  // Verify before the final name exists: exactly the stated size on disk, and the expected sha256.
  req.onProgress?.({ ...meter.progress(offset, expectedTotal, "verifying"), etaSeconds: null });
  const sha256 = hash.digest("hex");
  const onDisk = await fileSize(partPath);
  if ((expectedTotal !== null && offset !== expectedTotal) || onDisk !== offset) {
    await rm(partPath, { force: true });
    await rm(statePath, { force: true });
    throw new DownloadError(
      "sizeMismatch",
      `The download of ${url} holds ${onDisk} bytes, not the ${expectedTotal ?? offset} the server stated; it was deleted. Run “Download Model…” again.`,
      url,
    );
  }
  if (expectedSha !== null && sha256 !== expectedSha) {
    await rm(partPath, { force: true });
    await rm(statePath, { force: true });
    const source = expectedSha === catalogSha ? "the catalog's" : "the one the server publishes";
    throw new DownloadError(
      "checksumMismatch",
      `The file downloaded from ${url} is not the expected one (sha256 ${sha256}, expected ${expectedSha}, ${source}); it was deleted. Run “Download Model…” again; if it repeats, the catalog or the server is wrong.`,
      url,
    );
  }
  await assertLockHeld();
  await rename(partPath, destination);
  await rm(statePath, { force: true });
  return { path: destination, sizeBytes: offset, sha256, verified: expectedSha !== null, resumedFromBytes, attempts };
}
