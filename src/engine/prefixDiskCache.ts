// The disk cache of evaluated prefixes: node-llama-cpp sequence state files, each committed by a
// header (key fields, size, sha256) written last. Nothing is loaded unless its header matches the
// key exactly and its payload matches the checksum; a bad entry is deleted and counted.
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import {
  checkHeader,
  planEviction,
  prefixCacheFormatVersion,
  prefixCacheKey,
  type CacheEntryInfo,
  type PrefixCacheHeader,
  type PrefixCacheKeyFields,
} from "../core/cache/prefixCacheEntry.js";

/** The file operations the cache uses; tests inject failures (a full disk) through it. */
export type CacheFileSystem = Pick<typeof nodeFs, "readFile" | "writeFile" | "rename" | "rm" | "stat" | "readdir" | "mkdir" | "utimes">;

export interface PrefixDiskCacheStats {
  enabled: boolean;
  disabledReason: string | null;
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

export class PrefixDiskCache {
  private counters = { hits: 0, misses: 0, writes: 0, corrupt: 0, evictions: 0 };
  private disabledReason: string | null = null;
  private ready: Promise<void> | undefined;

  constructor(
    readonly directory: string,
    readonly maxBytes: number,
    private readonly onWarning: (message: string) => void,
    private readonly fs: CacheFileSystem = nodeFs,
  ) {}

  get enabled(): boolean {
    return this.disabledReason === null;
  }

  /** Restores the entry for `fields` through `load(payloadPath)`; false when there is none usable. */
  async restore(fields: PrefixCacheKeyFields, load: (payloadPath: string) => Promise<void>): Promise<boolean> {
    if (!this.enabled) return false;
    await this.prepare();
    const key = prefixCacheKey(fields);
    const { headerPath, payloadPath } = this.paths(key);
    let headerText: string;
    try {
      headerText = await this.fs.readFile(headerPath, "utf8");
    } catch {
      this.counters.misses++;
      return false;
    }
    const verdict = checkHeader(headerText, fields);
    const payloadOk = verdict.ok && (await this.payloadMatches(payloadPath, verdict.header));
    if (!verdict.ok || !payloadOk) {
      this.counters.corrupt++;
      this.counters.misses++;
      await this.deleteEntry(key);
      return false;
    }
    await load(payloadPath);
    this.counters.hits++;
    const now = new Date();
    await this.fs.utimes(headerPath, now, now).catch(() => undefined);
    return true;
  }

  /** Saves an entry: `writeState(tempPath)` writes the payload; the header commits it. */
  async save(fields: PrefixCacheKeyFields, writeState: (tempPath: string) => Promise<void>): Promise<boolean> {
    if (!this.enabled) return false;
    await this.prepare();
    const key = prefixCacheKey(fields);
    const { headerPath, payloadPath } = this.paths(key);
    const tempPayload = path.join(this.directory, `tmp-${randomUUID()}.kv`);
    const tempHeader = path.join(this.directory, `tmp-${randomUUID()}.json`);
    try {
      await writeState(tempPayload);
      const payload = await this.fs.readFile(tempPayload);
      const header: PrefixCacheHeader = {
        format: prefixCacheFormatVersion,
        key,
        fields,
        payloadBytes: payload.byteLength,
        payloadSha256: createHash("sha256").update(payload).digest("hex"),
        createdAt: Date.now(),
      };
      await this.fs.writeFile(tempHeader, JSON.stringify(header));
      await this.fs.rename(tempPayload, payloadPath);
      await this.fs.rename(tempHeader, headerPath);
      this.counters.writes++;
    } catch (error) {
      await Promise.all([tempPayload, tempHeader].map((file) => this.fs.rm(file, { force: true }).catch(() => undefined)));
      await this.deleteEntry(key);
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (diskFullCodes.has(code)) {
        this.disabledReason = `the disk holding ${this.directory} is full`;
        this.onWarning(
          `DeepSeek Local: the disk is full, so evaluated prefixes are no longer saved this session (${this.directory}). Completion and chat keep working; free space and restart the engine to cache again.`,
        );
      } else {
        this.onWarning(`DeepSeek Local: could not save a prefix to the disk cache: ${(error as Error).message}`);
      }
      return false;
    }
    await this.evict();
    return true;
  }

  async clear(): Promise<void> {
    await this.prepare();
    for (const name of await this.fs.readdir(this.directory)) {
      if (/\.(kv|json)$/.test(name)) await this.fs.rm(path.join(this.directory, name), { force: true });
    }
  }

  async stats(): Promise<PrefixDiskCacheStats> {
    const entries = this.enabled ? await this.listEntries() : [];
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
    return { headerPath: path.join(this.directory, `${key}.json`), payloadPath: path.join(this.directory, `${key}.kv`) };
  }

  /** Creates the folder and sweeps what an interrupted write left behind. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await this.fs.mkdir(this.directory, { recursive: true });
      const names = new Set(await this.fs.readdir(this.directory));
      for (const name of names) {
        const orphanPayload = name.endsWith(".kv") && !names.has(name.replace(/\.kv$/, ".json"));
        if (name.startsWith("tmp-") || orphanPayload) await this.fs.rm(path.join(this.directory, name), { force: true });
      }
    })();
    return this.ready;
  }

  private async payloadMatches(payloadPath: string, header: PrefixCacheHeader): Promise<boolean> {
    try {
      const { size } = await this.fs.stat(payloadPath);
      if (size !== header.payloadBytes) return false;
      const hash = createHash("sha256");
      for await (const chunk of createReadStream(payloadPath)) hash.update(chunk as Buffer);
      return hash.digest("hex") === header.payloadSha256;
    } catch {
      return false;
    }
  }

  private async listEntries(): Promise<(CacheEntryInfo & { tokens: number })[]> {
    await this.prepare();
    const entries: (CacheEntryInfo & { tokens: number })[] = [];
    for (const name of await this.fs.readdir(this.directory)) {
      if (!name.endsWith(".json") || name.startsWith("tmp-")) continue;
      const key = name.slice(0, -".json".length);
      const { headerPath, payloadPath } = this.paths(key);
      try {
        const [headerStat, payloadStat] = await Promise.all([this.fs.stat(headerPath), this.fs.stat(payloadPath)]);
        const header = JSON.parse(await this.fs.readFile(headerPath, "utf8")) as Partial<PrefixCacheHeader>;
        entries.push({ key, bytes: payloadStat.size + headerStat.size, lastUsed: headerStat.mtimeMs, tokens: header.fields?.tokenCount ?? 0 });
      } catch {
        entries.push({ key, bytes: 0, lastUsed: 0, tokens: 0 });
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
    // Header first: without it the payload is an orphan that the next sweep removes.
    await this.fs.rm(headerPath, { force: true }).catch(() => undefined);
    await this.fs.rm(payloadPath, { force: true }).catch(() => undefined);
  }
}
