// One download in progress, cut into its stages: open (continue the .part or start over), an
// attempt (request the missing range, check the answer, stream it to the file with progress),
// verify (size and sha256), commit (rename into place). The running hash always covers exactly the
// bytes of the .part file, and `expectedSha` / `expectedTotal` say what the finished file must be,
// from the catalog, the part's record and the server's answers. See modelDownloader.ts for why.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { rename, rm, stat, truncate } from "node:fs/promises";
import path from "node:path";
import { DownloadError, httpStatusError } from "../core/models/download/downloadFailure.js";
import { ProgressMeter, formatBytes } from "../core/models/download/progressMeter.js";
import {
  parseByteCount,
  parseContentRange,
  parseUnsatisfiedRangeTotal,
  resumeValidator,
  sameKindValidator,
  singleHeader,
} from "../core/models/download/serverFileFacts.js";
import { parseRetryAfter } from "../core/http/retryAfter.js";
import type { DownloadRequest } from "./downloadRequest.js";
import { freeDiskBytes, nodeFileWriter } from "./fileWriter.js";
import { readPartState, writePartState, type PartState } from "./partState.js";
import { getFollowingRedirects, type GetResponse } from "./redirectingGet.js";

export const manualHint = "You can also download the file yourself and pick it with “Select Model File…”.";

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

/** Progress reports, at most one per interval unless forced; every call is a speed sample. */
class ThrottledProgress {
  private readonly meter = new ProgressMeter();
  private lastReport = -Infinity;

  constructor(private readonly req: DownloadRequest) {}

  report(bytes: number, total: number | null, force = false): void {
    const at = this.req.now ? this.req.now() : performance.now();
    this.meter.sample(at, bytes);
    if (!force && at - this.lastReport < (this.req.progressIntervalMs ?? 250)) return;
    this.lastReport = at;
    this.req.onProgress?.(this.meter.progress(bytes, total));
  }

  verifying(bytes: number, total: number | null): void {
    this.req.onProgress?.({ ...this.meter.progress(bytes, total, "verifying"), etaSeconds: null });
  }
}

/** The answer to one request, checked: `stated` is the full size the server gives, null if none. */
type CheckedAnswer = { complete: true } | { complete: false; stated: number | null };

export class PartDownload {
  readonly partPath: string;
  private readonly statePath: string;
  private readonly url: string;
  private readonly progress: ThrottledProgress;
  private state: PartState | null = null;
  /** Bytes in the .part file, all of them in `hash`. */
  private offset = 0;
  private hash = createHash("sha256");
  private expectedSha: string | null;
  private expectedTotal: number | null = null;
  resumedFromBytes = 0;

  constructor(
    private readonly req: DownloadRequest,
    private readonly catalogSha: string | null,
  ) {
    this.url = req.url;
    this.partPath = `${req.destination}.part`;
    this.statePath = `${req.destination}.part.json`;
    this.progress = new ThrottledProgress(req);
    this.expectedSha = catalogSha;
  }

  /** Bytes on disk now: the retry loop counts an attempt that added some as progress. */
  get bytesOnDisk(): number {
    return this.offset;
  }

  // ---- open: continue the part when its origin is known and checkable, else start from zero ----

  async open(): Promise<void> {
    let state = await readPartState(this.statePath);
    let offset = await fileSize(this.partPath);
    // A part can be continued only when we know where it came from and can tell whether the server
    // still has that version: a validator for If-Range, or the sha256 the origin publishes (it names the
    // content exactly). Anything else could splice two files together.
    const continuable =
      state !== null &&
      state.url === this.url &&
      (state.validator !== null || state.sha256 !== null) &&
      (state.totalBytes === null || offset <= state.totalBytes) &&
      (this.catalogSha === null || state.sha256 === null || state.sha256 === this.catalogSha);
    if (offset > 0 && !continuable) await rm(this.partPath, { force: true });
    if (offset === 0 || !continuable) {
      offset = 0;
      state = null;
    }
    this.offset = this.resumedFromBytes = offset;
    this.state = state;
    if (this.req.expectedSizeBytes) await this.ensureSpace(Math.max(0, (state?.totalBytes ?? this.req.expectedSizeBytes) - offset));
    if (offset > 0) await hashFile(this.partPath, this.hash);
    this.expectedSha = this.catalogSha ?? state?.sha256 ?? null;
    this.expectedTotal = state?.totalBytes ?? null;
    this.report(true);
  }

  report(force = false): void {
    this.progress.report(this.offset, this.expectedTotal ?? this.req.expectedSizeBytes ?? null, force);
  }

  private async ensureSpace(bytesToCome: number): Promise<void> {
    const directory = path.dirname(this.req.destination);
    const free = await (this.req.freeBytes ?? freeDiskBytes)(directory);
    if (bytesToCome + (this.req.reserveBytes ?? 64 * 1024 * 1024) > free) {
      throw new DownloadError(
        "insufficientSpace",
        `Not enough disk space for ${this.url}: it needs ${formatBytes(bytesToCome)} more and ${directory} has ${formatBytes(free)} free. Free some space or choose another folder in deepseekLocal.model.folder.`,
        this.url,
      );
    }
  }

  private async restartFromZero(): Promise<void> {
    await rm(this.partPath, { force: true });
    this.offset = 0;
    this.hash = createHash("sha256");
    this.state = null;
    this.expectedSha = this.catalogSha;
    this.expectedTotal = null;
  }

  /** Another attempt, from zero, may succeed (the file changed, the server sent the wrong piece). */
  private async startOver(why: string): Promise<DownloadError> {
    await this.restartFromZero();
    return new DownloadError("incomplete", `${why}; starting again.`, this.url, true);
  }

  /** Nothing from this server can be installed: delete what was kept and say why. */
  private async refuse(code: "checksumMismatch" | "sizeMismatch" | "unverifiable", message: string): Promise<DownloadError> {
    await this.restartFromZero();
    await rm(this.statePath, { force: true });
    return new DownloadError(code, message, this.url);
  }

  private get changedOnServer(): string {
    return `${this.url} changed on the server since the partial download began`;
  }

  // ---- one attempt: request, check the answer, stream to the file ----

  /** One HTTP request; resolves when the file is complete, throws on anything else. */
  async attempt(): Promise<void> {
    const resumed = await this.alignWithHash();
    const response = await this.request(resumed);
    const answer = await this.checkAnswer(response, resumed);
    if (answer.complete) return;
    await this.recordExpectations(response, resumed, answer.stated);
    await this.streamToPart(response.body);
  }

  /** The bytes on disk must be exactly the bytes hashed (a failed write may have left part of a chunk); the record to resume from, if any. */
  private async alignWithHash(): Promise<PartState | null> {
    const onDisk = await fileSize(this.partPath);
    if (onDisk > this.offset) await truncate(this.partPath, this.offset);
    else if (onDisk < this.offset) await this.restartFromZero();
    if (this.offset > 0 && !this.state?.validator && !this.state?.sha256) await this.restartFromZero();
    return this.state !== null && this.offset > 0 ? this.state : null;
  }

  private request(resumed: PartState | null): Promise<GetResponse> {
    const headers: Record<string, string> = { ...this.req.headers };
    if (resumed) {
      headers.range = `bytes=${this.offset}-`;
      if (resumed.validator) headers["if-range"] = resumed.validator;
    }
    return getFollowingRedirects(this.url, {
      headers,
      signal: this.req.signal,
      dispatcher: this.req.dispatcher,
      headersTimeoutMs: this.req.headersTimeoutMs ?? 30_000,
      bodyTimeoutMs: this.req.bodyTimeoutMs ?? 60_000,
    });
  }

  /** Whether the answer is the file we want (whole, or the missing range of the same version); its body is discarded when not. */
  private async checkAnswer(response: GetResponse, resumed: PartState | null): Promise<CheckedAnswer> {
    const { statusCode, body, linked } = response;
    const discard = () => void body.dump().catch(() => undefined);
    const mismatch = this.publishedFileMismatch(response, resumed);
    if (mismatch) {
      discard();
      throw await mismatch();
    }
    if (statusCode === 416 && resumed) {
      const total = parseUnsatisfiedRangeTotal(singleHeader(response.headers, "content-range"));
      discard();
      // Our part is already whole if it is exactly the size recorded; the checks after the attempt still verify it.
      if (resumed.totalBytes === this.offset && (total === null || total === this.offset)) return { complete: true };
      throw await this.startOver(`The partial download of ${this.url} did not match the server's file`);
    }
    if (statusCode !== 200 && statusCode !== 206) {
      discard();
      throw httpStatusError(statusCode, this.url, parseRetryAfter(singleHeader(response.headers, "retry-after"), Date.now()));
    }
    const stated = statusCode === 206 ? this.checkRange(response, resumed) : await this.wholeFileSize(response, resumed);
    if (typeof stated === "string") {
      discard();
      throw await this.startOver(stated);
    }
    if (linked.sizeBytes !== null && stated !== null && linked.sizeBytes !== stated) {
      discard();
      throw await this.refuse(
        "sizeMismatch",
        `The server publishes ${linked.sizeBytes} bytes for ${this.url} but sends ${stated}; nothing was installed. Run “Download Model…” again later. ${manualHint}`,
      );
    }
    return { complete: false, stated };
  }

  /** The file the server publishes now must be the catalog's, and the one the part came from: the error to throw when not. */
  private publishedFileMismatch({ linked }: GetResponse, resumed: PartState | null): (() => Promise<DownloadError>) | undefined {
    if (linked.sha256 !== null && this.catalogSha !== null && linked.sha256 !== this.catalogSha) {
      const message = `The server publishes sha256 ${linked.sha256} for ${this.url}, but the catalog expects ${this.catalogSha}: it is not the file the catalog names, and nothing was installed. Update the extension. ${manualHint}`;
      return () => this.refuse("checksumMismatch", message);
    }
    if (
      resumed &&
      ((linked.sha256 !== null && resumed.sha256 !== null && linked.sha256 !== resumed.sha256) ||
        (linked.sizeBytes !== null && resumed.totalBytes !== null && linked.sizeBytes !== resumed.totalBytes) ||
        // Resumed without If-Range: only the same published sha256 says it is still the same file.
        (resumed.validator === null && linked.sha256 === null))
    ) {
      return () => this.startOver(this.changedOnServer);
    }
    return undefined;
  }

  /** A 206: the full size it states, or why it cannot continue the part (a string). */
  private checkRange({ headers }: GetResponse, resumed: PartState | null): number | string {
    const range = parseContentRange(singleHeader(headers, "content-range"));
    const length = parseByteCount(singleHeader(headers, "content-length"));
    if (!range || range.start !== this.offset || range.end !== range.total - 1 || (length !== null && length !== range.end - range.start + 1)) {
      return `The server sent the wrong part of ${this.url}`;
    }
    if (resumed) {
      // A server or cache that ignored If-Range would send another version's bytes: check ourselves.
      const validatorNow = resumed.validator === null ? null : sameKindValidator(headers, resumed.validator);
      if ((validatorNow !== null && validatorNow !== resumed.validator) || (resumed.totalBytes !== null && range.total !== resumed.totalBytes)) {
        return this.changedOnServer;
      }
    }
    return range.total;
  }

  /** A 200: the size it states. To a range request, the server ignored it or the file changed (If-Range): start over. */
  private async wholeFileSize({ headers }: GetResponse, resumed: PartState | null): Promise<number | null> {
    if (resumed) await this.restartFromZero();
    return parseByteCount(singleHeader(headers, "content-length"));
  }

  /** What the finished file must be, recorded beside the part before any byte of the answer is written. */
  private async recordExpectations(response: GetResponse, resumed: PartState | null, stated: number | null): Promise<void> {
    const { linked, body } = response;
    const continuing = this.offset > 0 ? resumed : null;
    const serverSha = linked.sha256 ?? continuing?.sha256 ?? null;
    this.expectedSha = this.catalogSha ?? serverSha;
    this.expectedTotal = linked.sizeBytes ?? stated ?? continuing?.totalBytes ?? null;
    if (this.expectedSha === null && !this.req.allowUnverified) {
      void body.dump().catch(() => undefined);
      throw new DownloadError(
        "noChecksum",
        `Neither the catalog nor the server gives a sha256 for ${this.url}, so a download of it could not be verified; nothing was downloaded. ${manualHint}`,
        this.url,
      );
    }
    if (this.expectedSha === null && this.expectedTotal === null) {
      void body.dump().catch(() => undefined);
      throw await this.refuse(
        "unverifiable",
        `The server states neither its size nor its sha256 for ${this.url}, so a download cut short could not be told from a complete one; nothing was installed. ${manualHint}`,
      );
    }
    if (this.expectedTotal !== null) await this.ensureSpace(this.expectedTotal - this.offset);
    this.state = {
      url: this.url,
      validator: continuing ? continuing.validator : resumeValidator(response.headers),
      totalBytes: this.expectedTotal,
      sha256: serverSha,
    };
    await writePartState(this.statePath, this.state);
  }

  /** Appends the body to the part, hashing and reporting progress; never past the stated size. */
  private async streamToPart(body: GetResponse["body"]): Promise<void> {
    const expectedTotal = this.expectedTotal;
    const file = await (this.req.writer ?? nodeFileWriter).open(this.partPath, this.offset > 0);
    let overflow = false;
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        if (expectedTotal !== null && this.offset + bytes.byteLength > expectedTotal) {
          overflow = true;
          body.destroy();
          break;
        }
        try {
          await file.write(bytes);
        } catch (error) {
          body.destroy();
          throw writeError(error, this.url, this.partPath, this.offset);
        }
        this.hash.update(bytes);
        this.offset += bytes.byteLength;
        this.report();
      }
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
    }
    if (overflow) {
      throw await this.refuse(
        "sizeMismatch",
        `The server sent more than the ${expectedTotal} bytes it stated for ${this.url}; the download was deleted. Run “Download Model…” again later.`,
      );
    }
    if (expectedTotal !== null && this.offset < expectedTotal) {
      throw new DownloadError("incomplete", `The connection to ${this.url} ended after ${formatBytes(this.offset)} of ${formatBytes(expectedTotal)}.`, this.url, true);
    }
  }

  // ---- verify, then commit ----

  /** Verified before the final name exists: exactly the stated size on disk, and the expected sha256. */
  async verify(): Promise<{ sha256: string; verified: boolean }> {
    this.progress.verifying(this.offset, this.expectedTotal);
    const sha256 = this.hash.digest("hex");
    const onDisk = await fileSize(this.partPath);
    if ((this.expectedTotal !== null && this.offset !== this.expectedTotal) || onDisk !== this.offset) {
      await this.deletePart();
      throw new DownloadError(
        "sizeMismatch",
        `The download of ${this.url} holds ${onDisk} bytes, not the ${this.expectedTotal ?? this.offset} the server stated; it was deleted. Run “Download Model…” again.`,
        this.url,
      );
    }
    if (this.expectedSha !== null && sha256 !== this.expectedSha) {
      await this.deletePart();
      const source = this.expectedSha === this.catalogSha ? "the catalog's" : "the one the server publishes";
      throw new DownloadError(
        "checksumMismatch",
        `The file downloaded from ${this.url} is not the expected one (sha256 ${sha256}, expected ${this.expectedSha}, ${source}); it was deleted. Run “Download Model…” again; if it repeats, the catalog or the server is wrong.`,
        this.url,
      );
    }
    return { sha256, verified: this.expectedSha !== null };
  }

  private async deletePart(): Promise<void> {
    await rm(this.partPath, { force: true });
    await rm(this.statePath, { force: true });
  }

  /** The verified part takes the final name, while this window still holds the part lock. */
  async commit(assertLockHeld: () => Promise<void>): Promise<void> {
    await assertLockHeld();
    await rename(this.partPath, this.req.destination);
    await rm(this.statePath, { force: true });
  }
}
