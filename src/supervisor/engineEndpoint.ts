// Where a shared engine listens: a Unix socket in a directory only this user can enter (a named
// pipe on Windows), never a TCP port. The name carries a hash of the engine's build and of what it
// loads, so an updated extension or a window with other model settings gets an engine of its own
// instead of talking to one that does not fit it.
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LoadParams, engineBuildFromHash } from "../protocol/engine.js";

/** Overrides the directory (tests and e2e runs: one per run, so no run picks up another's engine). */
export const engineDirEnv = "DEEPSEEK_LOCAL_ENGINE_DIR";

export interface EngineEndpoint {
  /** The socket path (or pipe name) the engine listens on. */
  address: string;
  /** The lock file around "spawn and wait for the socket", and the engine's log. */
  lockPath: string;
  logPath: string;
  /** What the engine must answer in its handshake. */
  build: string;
}

const buildCache = new Map<string, { stamp: string; build: string }>();

/** The engine's build id: the protocol version and a hash of the engine file itself (hashed again when the file changes). */
export function engineBuildId(enginePath: string): string {
  const facts = statSync(enginePath);
  const stamp = `${facts.size}/${facts.mtimeMs}`;
  const cached = buildCache.get(enginePath);
  if (cached?.stamp === stamp) return cached.build;
  const build = engineBuildFromHash(createHash("sha256").update(readFileSync(enginePath)).digest("hex"));
  buildCache.set(enginePath, { stamp, build });
  return build;
}

/** A stable hash of what the engine loads: the same settings in any key order give the same hash. */
export function loadSettingsHash(params: LoadParams): string {
  const resolved = LoadParams.parse(params);
  return createHash("sha256").update(stableJson(resolved)).digest("hex").slice(0, 12);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The user's private directory for engine sockets: `$DEEPSEEK_LOCAL_ENGINE_DIR`, else
 * `$XDG_RUNTIME_DIR/deepseek-local`, else `<tmp>/deepseek-local-<uid>`. Created 0700; one that is
 * a link, another user's, or open to others is refused (another user could listen there).
 */
export function privateEngineDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const directory =
    env[engineDirEnv] ||
    (env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, "deepseek-local") : path.join(os.tmpdir(), `deepseek-local-${uid ?? os.userInfo().username}`));
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  checkPrivateDirectory(directory, uid);
  return directory;
}

export function checkPrivateDirectory(directory: string, uid: number | undefined): void {
  if (process.platform === "win32") return;
  const facts = lstatSync(directory);
  const problem = !facts.isDirectory()
    ? "is not a directory (or is a link)"
    : uid !== undefined && facts.uid !== uid
      ? "belongs to another user"
      : (facts.mode & 0o077) !== 0
        ? `is open to other users (mode ${(facts.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) throw new Error(`The engine socket directory ${directory} ${problem}; the shared engine is not started there.`);
}

/** The endpoint of the engine built from `enginePath` loading `params`. */
export function engineEndpoint(enginePath: string, params: LoadParams, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const build = engineBuildId(enginePath);
  // Short: a Unix socket path has ~104 bytes (macOS), and the temp directory may take half.
  const name = `engine-${createHash("sha256").update(`${build}/${loadSettingsHash(params)}`).digest("hex").slice(0, 16)}`;
  const directory = privateEngineDirectory(env);
  const address = process.platform === "win32" ? `\\\\.\\pipe\\deepseek-local-${os.userInfo().username}-${name}` : path.join(directory, `${name}.sock`);
  return { address, lockPath: path.join(directory, `${name}.lock`), logPath: path.join(directory, `${name}.log`), build };
}
