// Builds the peer `llama-server` from the exact llama.cpp release node-llama-cpp binds
// (node_modules/node-llama-cpp/llama/gitRelease.bundle), once per bundle commit.
//
//   npm run native:llama-server            → prints the binary path (builds if not cached)
//   import { ensureLlamaServer } from ...  → same, for tests and the bench
//
// Cache: ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}/llama-server/<commit>/llama-server
// The build happens in a temporary folder beside the cache entry and is renamed into place on
// success, so a killed build never leaves a half cache. A lock folder keeps two processes (a test
// and the bench) from building at once: the second waits for the first.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile, copyFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const llamaDir = path.join(repoRoot, "node_modules", "node-llama-cpp", "llama");
const bundlePath = path.join(llamaDir, "gitRelease.bundle");
const patchesDir = path.join(llamaDir, "patches");

export const LLAMA_SERVER_BINARY_NAME = process.platform === "win32" ? "llama-server.exe" : "llama-server";

/** CMake flags of the peer build. Static, native CPU, no network, no UI, server target only. */
export const LLAMA_SERVER_CMAKE_FLAGS: readonly string[] = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DGGML_NATIVE=ON",
  "-DBUILD_SHARED_LIBS=OFF",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  // Newer llama.cpp gates the server behind these; set them explicitly so the target exists
  // whether or not the tree is built standalone.
  "-DLLAMA_BUILD_COMMON=ON",
  "-DLLAMA_BUILD_TOOLS=ON",
  "-DLLAMA_BUILD_SERVER=ON",
  // The web UI would be fetched from a Hugging Face bucket or built with npm: neither is wanted
  // (offline machines, and the bench never opens it). An empty asset table is embedded instead.
  "-DLLAMA_BUILD_UI=OFF",
  "-DLLAMA_USE_PREBUILT_UI=OFF",
];

export interface EnsureLlamaServerOptions {
  /** Build jobs (default: number of CPUs, at most 2 on this project's CI). */
  jobs?: number;
  /** Where progress lines go (default: nothing). The full log always goes to the cache's log file. */
  onProgress?: (line: string) => void;
}

export function cacheRoot(): string {
  return process.env.DEEPSEEK_LOCAL_CACHE || path.join(os.homedir(), ".cache", "deepseek-local");
}

/** The commit the bundle's HEAD points at: the cache key. */
export function bundleCommit(): string {
  if (!existsSync(bundlePath)) {
    throw new Error(`llama.cpp bundle not found at ${bundlePath}: run npm install first`);
  }
  const heads = execFileSync("git", ["bundle", "list-heads", bundlePath], { encoding: "utf8" });
  const head = heads.split("\n").find((l) => /\sHEAD$/.test(l)) ?? heads.split("\n")[0] ?? "";
  const commit = head.split(/\s+/)[0] ?? "";
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`cannot read the commit of ${bundlePath}: ${heads}`);
  return commit;
}

export function llamaServerDir(commit = bundleCommit()): string {
  return path.join(cacheRoot(), "llama-server", commit);
}

/** The cached binary if it exists, without building. */
export function cachedLlamaServer(commit = bundleCommit()): string | undefined {
  const bin = path.join(llamaServerDir(commit), LLAMA_SERVER_BINARY_NAME);
  return existsSync(bin) ? bin : undefined;
}

let inProcess: Promise<string> | undefined;

/** Returns the path of the peer llama-server binary, building it first if it is not cached. */
export function ensureLlamaServer(options: EnsureLlamaServerOptions = {}): Promise<string> {
  const cached = cachedLlamaServer();
  if (cached) return Promise.resolve(cached);
  inProcess ??= buildWithLock(options).finally(() => {
    inProcess = undefined;
  });
  return inProcess;
}

// ---------------------------------------------------------------------------------------------

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function buildWithLock(options: EnsureLlamaServerOptions): Promise<string> {
  const commit = bundleCommit();
  const parent = path.join(cacheRoot(), "llama-server");
  await mkdir(parent, { recursive: true });
  const lockDir = path.join(parent, `${commit}.lock`);
  const log = options.onProgress ?? (() => {});

  for (;;) {
    const done = cachedLlamaServer(commit);
    if (done) return done;
    try {
      await mkdir(lockDir); // atomic: exactly one process gets it
      await writeFile(path.join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(await readFile(path.join(lockDir, "pid"), "utf8").catch(() => "NaN"));
      const lockAge = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if ((Number.isFinite(owner) && !pidAlive(owner)) || (!Number.isFinite(owner) && lockAge > 30_000)) {
        log(`removing stale build lock ${lockDir} (pid ${owner})`);
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      log(`another process (pid ${owner}) is building llama-server; waiting`);
      await sleep(2_000);
    }
  }

  try {
    const done = cachedLlamaServer(commit);
    if (done) return done;
    await removeStaleTemps(parent, commit);
    return await build(commit, parent, lockDir, options);
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** Temp folders are named `<commit>.tmp-<pid>-XXXXXX`; remove those whose owner died. */
async function removeStaleTemps(parent: string, commit: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const m = new RegExp(`^${commit}\\.tmp-(\\d+)-`).exec(name);
    if (m && !pidAlive(Number(m[1]))) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

async function build(commit: string, parent: string, lockDir: string, options: EnsureLlamaServerOptions): Promise<string> {
  const log = options.onProgress ?? (() => {});
  const jobs = options.jobs ?? Math.max(1, os.availableParallelism());
  const tmp = await mkdtemp(path.join(parent, `${commit}.tmp-${process.pid}-`));
  const logPath = path.join(parent, `${commit}.build.log`);
  const logFile = createWriteStream(logPath);
  const started = Date.now();
  const src = path.join(tmp, "src");
  const buildDir = path.join(src, "build");
  const out = path.join(tmp, "out");

  // A build killed by SIGINT/SIGTERM takes its compilers with it and leaves no temp folder or lock.
  // Each step runs in its own process group; the group gets SIGTERM first, because ninja runs every
  // compiler in a process group of its own and only stops them itself when it is asked politely.
  let child: ChildProcess | undefined;
  const signalStep = (step: ChildProcess, signal: NodeJS.Signals) => {
    try {
      process.kill(process.platform === "win32" ? step.pid! : -step.pid!, signal);
    } catch {
      step.kill(signal);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const step = child;
    const stopStep = async () => {
      if (step?.pid === undefined || step.exitCode !== null || step.signalCode !== null) return;
      const closed = new Promise((r) => step.once("close", r));
      signalStep(step, "SIGTERM");
      if ((await Promise.race([closed.then(() => true), sleep(5_000).then(() => false)])) === false) {
        signalStep(step, "SIGKILL");
        await Promise.race([closed, sleep(2_000)]);
      }
    };
    void stopStep()
      .then(() =>
        Promise.all([
          rm(tmp, { recursive: true, force: true, maxRetries: 5 }),
          rm(lockDir, { recursive: true, force: true }),
        ]),
      )
      .finally(() => process.kill(process.pid, signal));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const step = async (cmd: string, args: string[], cwd: string) => {
    log(`$ ${cmd} ${args.join(" ")}`);
    logFile.write(`\n$ ${cmd} ${args.join(" ")}\n`);
    child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
    await runLogged(child, logFile, log);
    child = undefined;
  };

  try {
    log(`building llama-server ${commit.slice(0, 12)} in ${tmp} (log: ${logPath})`);
    await step("git", ["clone", "--quiet", bundlePath, src], tmp);
    await step("git", ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit], src);
    const patches = await applyPatches(src, logFile, log);

    const generator = hasCommand("ninja") ? ["-G", "Ninja"] : [];
    const configure = ["-S", ".", "-B", "build", ...generator, ...LLAMA_SERVER_CMAKE_FLAGS];
    await step("cmake", configure, src);
    await step("cmake", ["--build", "build", "--target", "llama-server", "-j", String(jobs)], src);

    const built = await findFile(buildDir, LLAMA_SERVER_BINARY_NAME);
    if (!built) throw new Error(`the build finished but ${LLAMA_SERVER_BINARY_NAME} is not in ${buildDir}`);
    await mkdir(out);
    const bin = path.join(out, LLAMA_SERVER_BINARY_NAME);
    await copyFile(built, bin);
    await chmod(bin, 0o755);
    const buildMs = Date.now() - started;
    await writeFile(
      path.join(out, "build-info.json"),
      JSON.stringify(
        {
          commit,
          nodeLlamaCppRelease: await readRelease(),
          patches,
          cmakeFlags: [...generator, ...LLAMA_SERVER_CMAKE_FLAGS],
          jobs,
          buildMs,
          bytes: (await stat(bin)).size,
          builtAt: new Date().toISOString(),
          host: { platform: process.platform, arch: process.arch, cpus: os.cpus()[0]?.model },
        },
        null,
        2,
      ) + "\n",
    );

    const final = llamaServerDir(commit);
    await rename(out, final); // atomic publish
    log(`built in ${(buildMs / 1000).toFixed(0)} s → ${final}`);
    return path.join(final, LLAMA_SERVER_BINARY_NAME);
  } catch (err) {
    const tail = await readFile(logPath, "utf8").then((t) => t.split("\n").slice(-40).join("\n"), () => "");
    throw new Error(`llama-server build failed: ${(err as Error).message}\n--- ${logPath} (tail) ---\n${tail}`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await new Promise<void>((r) => logFile.end(r));
    await rm(tmp, { recursive: true, force: true });
  }
}

function runLogged(child: ChildProcess, logFile: WriteStream, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = "";
    const onData = (chunk: Buffer) => {
      logFile.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      // Progress: the compiler's "[ 42%] Building ..." / ninja "[12/200]" lines and errors only.
      for (const line of lines) if (/^\[\s*\d+|error|warning: unused/i.test(line)) log(line.trim());
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${child.spawnargs.join(" ")} exited with ${signal ?? code}`)),
    );
  });
}

/** The patches node-llama-cpp applies to the same tree before its own source builds. */
async function applyPatches(src: string, logFile: WriteStream, log: (l: string) => void): Promise<string[]> {
  if (!existsSync(patchesDir)) return [];
  const applied: string[] = [];
  for (const name of (await readdir(patchesDir)).filter((n) => n.endsWith(".diff")).sort()) {
    const patch = path.join(patchesDir, name);
    try {
      execFileSync("git", ["apply", "--check", patch], { cwd: src, stdio: "pipe" });
    } catch {
      log(`patch ${name} does not apply (already merged upstream?): skipped`);
      logFile.write(`patch ${name}: skipped (does not apply)\n`);
      continue;
    }
    execFileSync("git", ["apply", patch], { cwd: src, stdio: "pipe" });
    logFile.write(`patch ${name}: applied\n`);
    applied.push(name);
  }
  return applied;
}

async function readRelease(): Promise<unknown> {
  return readFile(path.join(llamaDir, "llama.cpp.info.json"), "utf8").then(JSON.parse, () => undefined);
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync(cmd, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [path.join(dir, "bin", name), path.join(dir, "bin", "Release", name)]) {
    if (existsSync(candidate)) return candidate;
  }
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) return path.join(entry.parentPath, entry.name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const jobsArg = process.argv.indexOf("--jobs");
  const jobs = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : undefined;
  ensureLlamaServer({ jobs, onProgress: (line) => process.stderr.write(`[llama-server] ${line}\n`) }).then(
    (bin) => {
      process.stdout.write(`${bin}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
