// What a caller asks of the model downloader (modelDownloader.ts), and what its stages read
// (partDownload.ts).
import type { Dispatcher } from "undici";
import type { RetryPolicy } from "../core/models/download/downloadFailure.js";
import type { DownloadProgress } from "../core/models/download/progressMeter.js";
import type { DownloadFileWriter } from "./fileWriter.js";
import type { PartLockOptions } from "./partLock.js";

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
