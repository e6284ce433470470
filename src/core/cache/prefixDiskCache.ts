// The disk cache of evaluated prefixes: node-llama-cpp sequence state files, each committed by a
// header (key fields, size, sha256) written last. Nothing is loaded unless its header matches the
// key exactly and its payload matches the checksum; a bad entry is deleted and counted.
//
// The configured directory may hold anything (issue 19): the cache lives in a subfolder it created
// and marked, touches only the files its own naming scheme produced there, and keeps them private
// (folder 0700, files 0600: a state holds the token ids of the user's code). Several engine
// processes (windows) may share the folder: each writes under temp names carrying its pid and
// renames into place, and a sweep removes only what no live writer can still be writing. A folder
// that cannot be used turns the cache off with one warning; completion goes on without it.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import {
  classifyCacheFile,
  headerFileName,
  isOwnMarker,
  markerFileName,
  markerText,
  memoFileName,
  payloadFileName,
  planSweep,
  prefixCacheFolderName,
  tempFileName,
} from "./prefixCacheFolder.js";
import {
  checkHeader,
  planEviction,
  prefixCacheFormatVersion,
  prefixCacheKey,
  type CacheEntryInfo,
  type PrefixCacheHeader,
  type PrefixCacheKeyFields,
} from "./prefixCacheEntry.js";

/** The file operations the cache uses; tests inject failures (a full disk) through it. */
export type CacheFileSystem = Pick<
  typeof nodeFs,
  "readFile" | "writeFile" | "rename" | "rm" | "rmdir" | "stat" | "readdir" | "mkdir" | "utimes" | "chmod"
>;

export interface PrefixDiskCacheStats {
  enabled: boolean;
  disabledReason: string | null;
  /** The cache's own folder, inside the configured one. */
  directory: string;
  maxBytes: number;
  entries: number;
  bytesOnDisk: number;
  hits: number;
  misses: number;
  writes: number;
  corrupt: number;
  evictions: number;
  tokensOnDisk: number;
}

const diskFullCodes = new Set(["ENOSPC", "EDQUOT", "EFBIG"]);
const privateFile = 0o600;
const privateFolder = 0o700;

/** A folder the cache will not use, with the reason a person reads. */
class FolderRefused extends Error {}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? "";

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

export class PrefixDiskCache {
  /** The folder the cache owns: `<configured>/deepseek-local-prefix-cache`. */
  readonly directory: string;
  /** Where the engine remembers the model file's hash; inside the owned folder. */
  readonly memoPath: string;
  private counters = { hits: 0, misses: 0, writes: 0, corrupt: 0, evictions: 0 };
  private disabledReason: string | null = null;
  private opened: Promise<boolean> | undefined;

  constructor(
    readonly configuredDirectory: string,
    readonly maxBytes: number,
    private readonly onWarning: (message: string) => void,
    private readonly fs: CacheFileSystem = nodeFs,
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {
    this.directory = path.join(path.resolve(configuredDirectory), prefixCacheFolderName);
    this.memoPath = path.join(this.directory, memoFileName);
  }

  get enabled(): boolean {
    return this.disabledReason === null;
  }

  /**
   * Turns the cache off for this engine's life and says so once; later calls add nothing.
   * The entries on disk stay (the next engine may be able to use them).
   */
  disable(reason: string): void {
    if (this.disabledReason !== null) return;
    this.disabledReason = reason;
    this.onWarning(
      `DeepSeek Local: the disk cache is off: ${reason}. Completion and chat keep working without it; fix this or choose another folder in deepseekLocal.cache.directory, then restart the engine.`,
    );
  }

  /**
   * Creates or checks the owned folder (once) and sweeps what interrupted writes left behind.
   * False when the folder cannot be used; the cache is then off, said once.
   */
  open(): Promise<boolean> {
    this.opened ??= this.openFolder().then(
      () => true,
      (error: unknown) => {
        this.disable(this.describeFailure(error, this.directory));
        return false;
      },
    );
    return this.opened;
  }

  /** Restores the entry for `fields` through `load(payloadPath)`; false when there is none usable. */
  async restore(fields: PrefixCacheKeyFields, load: (payloadPath: string) => Promise<void>): Promise<boolean> {
    if (!this.enabled || !(await this.open())) return false;
    const key = prefixCacheKey(fields);
    const { headerPath, payloadPath } = this.paths(key);
    let headerText: string;
    try {
      headerText = await this.fs.readFile(headerPath, "utf8");
    } catch (error) {
      this.counters.misses++;
      if (errorCode(error) !== "ENOENT") this.disable(this.describeFailure(error, this.directory));
      return false;
    }
    const verdict = checkHeader(headerText, fields);
    const payloadOk = verdict.ok && (await this.payloadMatches(payloadPath, verdict.header));
    let loaded = payloadOk;
    if (payloadOk) {
      // A state llama.cpp refuses (say, another context size slipped past the key) is no entry.
      loaded = await load(payloadPath).then(
        () => true,
        () => false,
      );
    }
    if (!loaded) {
      this.counters.corrupt++;
      this.counters.misses++;
      await this.deleteEntry(key);
      return false;
    }
    this.counters.hits++;
    const now = new Date();
    await this.fs.utimes(headerPath, now, now).catch(() => undefined);
    return true;
  }

  /** Saves an entry: `writeState(tempPath)` writes the payload; the header commits it. */
  async save(fields: PrefixCacheKeyFields, writeState: (tempPath: string) => Promise<void>): Promise<boolean> {
    if (!this.enabled || !(await this.open())) return false;
    const key = prefixCacheKey(fields);
    const { headerPath, payloadPath } = this.paths(key);
    const tempPayload = this.tempPath("kv");
    const tempHeader = this.tempPath("json");
    let payloadPlaced = false;
    try {
      // Created private before the writer opens it: the state is never readable by others.
      await this.fs.writeFile(tempPayload, new Uint8Array(0), { mode: privateFile, flag: "wx" });
      await writeState(tempPayload);
      await this.fs.chmod(tempPayload, privateFile);
      const { bytes, sha256 } = await this.hashFile(tempPayload);
      const header: PrefixCacheHeader = {
        format: prefixCacheFormatVersion,
        key,
        fields,
        payloadBytes: bytes,
        payloadSha256: sha256,
        createdAt: Date.now(),
      };
      await this.fs.writeFile(tempHeader, JSON.stringify(header), { mode: privateFile, flag: "wx" });
      await this.fs.rename(tempPayload, payloadPath);
      payloadPlaced = true;
      await this.fs.rename(tempHeader, headerPath);
      this.counters.writes++;
    } catch (error) {
      await Promise.all([tempPayload, tempHeader].map((file) => this.fs.rm(file, { force: true }).catch(() => undefined)));
      if (payloadPlaced) await this.deleteEntry(key);
      this.disable(this.describeFailure(error, this.directory));
      return false;
    }
    await this.evict().catch(() => undefined);
    return true;
  }

  /** Deletes every entry (and nothing else); what it deleted. */
  async clear(): Promise<{ entries: number; bytes: number }> {
    if (!(await this.open())) return { entries: 0, bytes: 0 };
    const entries = await this.listEntries();
    for (const entry of entries) await this.deleteEntry(entry.key);
    await this.sweep();
    return { entries: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0) };
  }

  async stats(): Promise<PrefixDiskCacheStats> {
    // Entries of an owned folder are counted even when saving stopped (a full disk): Clear Cache needs them.
    const entries = (await this.open()) ? await this.listEntries().catch(() => []) : [];
    return {
      enabled: this.enabled,
      disabledReason: this.disabledReason,
      directory: this.directory,
      maxBytes: this.maxBytes,
      entries: entries.length,
      bytesOnDisk: entries.reduce((sum, entry) => sum + entry.bytes, 0),
      tokensOnDisk: entries.reduce((sum, entry) => sum + entry.tokens, 0),
      ...this.counters,
    };
  }

  private paths(key: string) {
    return { headerPath: path.join(this.directory, headerFileName(key)), payloadPath: path.join(this.directory, payloadFileName(key)) };
  }

  private tempPath(extension: "kv" | "json" | "tag"): string {
    return path.join(this.directory, tempFileName(process.pid, randomBytes(8).toString("hex"), extension));
  }

  private async openFolder(): Promise<void> {
    await this.fs.mkdir(path.dirname(this.directory), { recursive: true, mode: privateFolder });
    let created = false;
    try {
      await this.fs.mkdir(this.directory, { mode: privateFolder });
      created = true;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    if (!(await this.fs.stat(this.directory)).isDirectory()) throw new FolderRefused(`${this.directory} exists and is not a folder`);
    try {
      await this.claim();
    } catch (error) {
      // Leave no empty folder behind when it could not even be marked (a full or read-only disk).
      if (created) await this.fs.rmdir(this.directory).catch(() => undefined);
      throw error;
    }
    await this.fs.chmod(this.directory, privateFolder).catch(() => undefined);
    await this.sweep();
  }

  /** Makes sure the folder carries our marker: an empty folder is marked, anything else refused. */
  private async claim(): Promise<void> {
    const markerPath = path.join(this.directory, markerFileName);
    for (let attempt = 0; attempt < 3; attempt++) {
      const text = await this.fs.readFile(markerPath, "utf8").catch((error: unknown) => {
        if (errorCode(error) === "ENOENT") return null;
        throw error;
      });
      if (text !== null) {
        if (isOwnMarker(text)) return;
        throw new FolderRefused(`${this.directory} has a ${markerFileName} that DeepSeek Local did not write, so it is not its folder`);
      }
      // Another window may be marking the same new folder: its marker temp does not count as content.
      const names = (await this.fs.readdir(this.directory)).filter((name) => !/^tmp-\d+-[0-9a-f]{16}\.tag$/.test(name));
      if (names.includes(markerFileName)) continue;
      if (names.length > 0) {
        throw new FolderRefused(`${this.directory} already holds files that DeepSeek Local did not create (it will not touch them)`);
      }
      // Written whole under a temp name, then renamed: a second window never reads half a marker.
      const temp = this.tempPath("tag");
      try {
        await this.fs.writeFile(temp, markerText, { mode: privateFile, flag: "wx" });
        await this.fs.rename(temp, markerPath);
      } finally {
        await this.fs.rm(temp, { force: true }).catch(() => undefined);
      }
    }
    throw new FolderRefused(`${this.directory} could not be marked as DeepSeek Local's`);
  }

  /** Removes temp files and orphan payloads that no live writer will finish. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const candidates = [];
    for (const name of await this.fs.readdir(this.directory)) {
      if (!classifyCacheFile(name)) continue;
      const info = await this.fs.stat(path.join(this.directory, name)).catch(() => null);
      if (info?.isFile()) candidates.push({ name, ageMs: now - info.mtimeMs });
    }
    for (const name of planSweep(candidates, this.isAlive)) await this.fs.rm(path.join(this.directory, name), { force: true }).catch(() => undefined);
  }

  private async hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).byteLength;
    }
    return { bytes, sha256: hash.digest("hex") };
  }

  private async payloadMatches(payloadPath: string, header: PrefixCacheHeader): Promise<boolean> {
    try {
      const { size } = await this.fs.stat(payloadPath);
      if (size !== header.payloadBytes) return false;
      return (await this.hashFile(payloadPath)).sha256 === header.payloadSha256;
    } catch {
      return false;
    }
  }

  /** Committed entries: headers named by the scheme, with their payload's size. */
  private async listEntries(): Promise<(CacheEntryInfo & { tokens: number })[]> {
    const entries: (CacheEntryInfo & { tokens: number })[] = [];
    for (const name of await this.fs.readdir(this.directory)) {
      const file = classifyCacheFile(name);
      if (file?.kind !== "header") continue;
      const { headerPath, payloadPath } = this.paths(file.key);
      try {
        const [headerStat, payloadStat] = await Promise.all([this.fs.stat(headerPath), this.fs.stat(payloadPath)]);
        const header = JSON.parse(await this.fs.readFile(headerPath, "utf8")) as Partial<PrefixCacheHeader>;
        entries.push({ key: file.key, bytes: payloadStat.size + headerStat.size, lastUsed: headerStat.mtimeMs, tokens: header.fields?.tokenCount ?? 0 });
      } catch {
        entries.push({ key: file.key, bytes: 0, lastUsed: 0, tokens: 0 });
      }
    }
    return entries;
  }

  private async evict(): Promise<void> {
    for (const key of planEviction(await this.listEntries(), this.maxBytes)) {
      await this.deleteEntry(key);
      this.counters.evictions++;
    }
  }

  private async deleteEntry(key: string): Promise<void> {
    const { headerPath, payloadPath } = this.paths(key);
    // Header first: without it the payload is an orphan that a later sweep removes.
    await this.fs.rm(headerPath, { force: true }).catch(() => undefined);
    await this.fs.rm(payloadPath, { force: true }).catch(() => undefined);
  }

  /** A failure as a person reads it: what is wrong with which folder. */
  private describeFailure(error: unknown, folder: string): string {
    if (error instanceof FolderRefused) return error.message;
    const code = errorCode(error);
    const configured = this.configuredDirectory;
    if (diskFullCodes.has(code)) return `the disk is full (${folder})`;
    if (code === "ENOTDIR" || code === "EEXIST") return `${configured} is not a folder (a file is in its place or in its path)`;
    if (code === "EACCES" || code === "EPERM") return `no permission to write in ${folder}`;
    if (code === "EROFS") return `${folder} is on a read-only disk`;
    if (code === "ENOENT") return `${folder} disappeared`;
    return `${folder} cannot be used (${error instanceof Error ? error.message : String(error)})`;
  }
}
