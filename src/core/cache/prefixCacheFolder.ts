// The disk cache's own folder and the names it may touch (issue 19). The configured directory may
// be any folder — a project, the home folder — so the cache keeps to a subfolder it created and
// marked, and inside it deletes only files named by its own scheme; whatever else is there stays.

/** The subfolder of the configured directory that the cache owns. */
export const prefixCacheFolderName = "deepseek-local-prefix-cache";

/**
 * The marker that says the folder is ours: a Cache Directory Tag (https://bford.info/cachedir/),
 * so that backup tools skip it too, whose second line names DeepSeek Local.
 */
export const markerFileName = "CACHEDIR.TAG";
const cacheDirTagSignature = "Signature: 8a477f597d28d172789f06886806bc55";
const markerIdentity = "# DeepSeek Local prefix cache";
export const markerText = [
  cacheDirTagSignature,
  `${markerIdentity} (format 1): evaluated prompt prefixes that it can compute again.`,
  "# DeepSeek Local deletes only its own entries in this folder; anything else here is left alone.",
  "",
].join("\n");

export function isOwnMarker(text: string): boolean {
  const [signature, identity] = text.split(/\r?\n/);
  return signature === cacheDirTagSignature && identity !== undefined && identity.startsWith(markerIdentity);
}

/** Where the model file's hash is remembered (written by the engine's modelIdentity). */
export const memoFileName = "model-ids.memo";

export type CacheFileName =
  | { kind: "header" | "payload"; key: string }
  /** Written by one process, renamed into place when complete. */
  | { kind: "temp"; pid: number }
  | { kind: "marker" | "memo" };

const entryName = /^([0-9a-f]{40})\.(kv|json)$/;
const tempName = /^tmp-(\d{1,10})-[0-9a-f]{16}\.(kv|json|tag)$/;
const memoTempName = /^model-ids\.memo\.(\d{1,10})\.tmp$/;

/** What a file in the cache folder is, by its name; null for anything the cache did not name. */
export function classifyCacheFile(name: string): CacheFileName | null {
  const entry = entryName.exec(name);
  if (entry) return { kind: entry[2] === "kv" ? "payload" : "header", key: entry[1]! };
  const temp = tempName.exec(name) ?? memoTempName.exec(name);
  if (temp) return { kind: "temp", pid: Number(temp[1]) };
  if (name === markerFileName) return { kind: "marker" };
  if (name === memoFileName) return { kind: "memo" };
  return null;
}

export function headerFileName(key: string): string {
  return `${key}.json`;
}

export function payloadFileName(key: string): string {
  return `${key}.kv`;
}

/** A temp file of this process: pid and 16 random hex digits, so that two windows never collide. */
export function tempFileName(pid: number, randomHex: string, extension: "kv" | "json" | "tag"): string {
  if (!/^[0-9a-f]{16}$/.test(randomHex)) throw new Error("tempFileName: randomHex must be 16 hex digits");
  return `tmp-${pid}-${randomHex}.${extension}`;
}

/**
 * A temp file or payload untouched this long belongs to no write in progress: a writer appends
 * continuously and commits within seconds of its last byte.
 */
export const staleAfterMs = 10 * 60_000;

export interface SweepCandidate {
  name: string;
  /** Milliseconds since the file was last modified. */
  ageMs: number;
}

/**
 * Names to delete when a process opens the folder: temp files of processes that are gone or that
 * stopped writing long ago, and payloads whose header has not come for as long. Another live
 * process's temp file, or the payload it has just renamed into place before its header, stays.
 */
export function planSweep(files: readonly SweepCandidate[], isAlive: (pid: number) => boolean, staleMs = staleAfterMs): string[] {
  const headers = new Set(files.filter((file) => classifyCacheFile(file.name)?.kind === "header").map((file) => file.name));
  const sweep: string[] = [];
  for (const file of files) {
    const kind = classifyCacheFile(file.name);
    const stale = file.ageMs > staleMs;
    if (kind?.kind === "temp" && (stale || !isAlive(kind.pid))) sweep.push(file.name);
    if (kind?.kind === "payload" && stale && !headers.has(headerFileName(kind.key))) sweep.push(file.name);
  }
  return sweep;
}
