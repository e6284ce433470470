// Downloads a model file so that the final name only ever holds the server's exact file: a .part
// file locked against other windows, resumed only when the server still has the same version
// (If-Range with a strong validator, checked again on the answer), hashed while it is written, and
// renamed into place only after its size and sha256 are verified. The expected sha256 comes from the
// catalog or from the server itself (Hugging Face publishes it for LFS files); see issue 19.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleepFor } from "node:timers/promises";
import { DownloadError, backoffDelayMs, defaultRetryPolicy, networkError } from "../core/models/download/downloadFailure.js";
import type { DownloadRequest } from "./downloadRequest.js";
import { PartDownload } from "./partDownload.js";
import { acquirePartLock } from "./partLock.js";

export type { DownloadRequest } from "./downloadRequest.js";

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
