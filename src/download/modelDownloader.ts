// Downloads a model file so that the final name only ever holds the server's exact file: a .part
// file locked against other windows, resumed only when the server still has the same version
// (If-Range with a strong validator, checked again on the answer), hashed while it is written, and
// renamed into place only after its size and sha256 are verified. The expected sha256 comes from the
// catalog or from the server itself (Hugging Face publishes it for LFS files); see issue 19.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { DownloadError, backoffDelayMs, defaultRetryPolicy, networkError, type RetryPolicy } from "../core/download/downloadFailure.js";
import type { DownloadProgress } from "../core/download/progressMeter.js";
import type { DownloadFileWriter } from "./fileWriter.js";
import { PartDownload } from "./partDownload.js";
import { acquirePartLock, type PartLockOptions } from "./partLock.js";

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

const sha256Pattern = /^[0-9a-f]{64}$/;

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

/** Attempts until the file is complete: a transient failure is retried with backoff, and an attempt that added bytes starts the count again. */
async function downloadLocked(req: DownloadRequest, catalogSha: string | null, assertLockHeld: () => Promise<void>): Promise<DownloadResult> {
  const { url, signal } = req;
  const policy = req.retry ?? defaultRetryPolicy;
  const sleep = req.sleep ?? ((ms: number, s?: AbortSignal) => sleepFor(ms, undefined, { signal: s }));
  const cancelled = () => new DownloadError("cancelled", `The download of ${url} was cancelled; run “Download Model…” again to resume it.`, url);
  const part = new PartDownload(req, catalogSha);
  await part.open();

  let attempts = 0;
  let failuresInARow = 0;
  for (;;) {
    if (signal?.aborted) throw cancelled();
    attempts++;
    const before = part.bytesOnDisk;
    try {
      await part.attempt();
      break;
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      const failure = error instanceof DownloadError ? error : (networkError(error, url) ?? error);
      if (!(failure instanceof DownloadError) || !failure.transient) throw failure;
      failuresInARow = part.bytesOnDisk > before ? 1 : failuresInARow + 1;
      if (failuresInARow >= policy.attempts) throw failure;
      try {
        await sleep(backoffDelayMs(policy, failuresInARow, failure.retryAfterMs), signal);
      } catch {
        throw cancelled();
      }
    }
  }
  part.report(true);

  const { sha256, verified } = await part.verify();
  await part.commit(assertLockHeld);
  return { path: req.destination, sizeBytes: part.bytesOnDisk, sha256, verified, resumedFromBytes: part.resumedFromBytes, attempts };
}
