// Builds from the exact llama.cpp release node-llama-cpp binds
// (node_modules/node-llama-cpp/llama/gitRelease.bundle, patched with its llama/patches/*.diff as
// node-llama-cpp's own source builds are), once per cache key:
// - native/llama-server/build.ts: the peer llama-server the bench and tests measure against;
// - native/ggml-cpu/build.ts: node-llama-cpp's CPU backend variants, rebuilt with this machine's compiler.
//
// Cache: ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}/<kind>/<key>/. A build runs in a temporary
// folder beside the cache entry and is renamed into place on success, so a killed build never
// leaves a half cache. A lock folder keeps two processes (a test and the bench) from building at
// once: the second waits for the first.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const llamaDir = path.join(repoRoot, "node_modules", "node-llama-cpp", "llama");
const bundlePath = path.join(llamaDir, "gitRelease.bundle");
const patchesDir = path.join(llamaDir, "patches");

export function cacheRoot(): string {
  return process.env.DEEPSEEK_LOCAL_CACHE || path.join(os.homedir(), ".cache", "deepseek-local");
}

/** The commit the bundle's HEAD points at. */
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

/** What to build from the bundle and what of it to keep. */
export interface BundleBuildSpec {
  /** Cache folder under cacheRoot(), and the name in messages: "llama-server", "ggml-cpu". */
  kind: string;
  /** The cache entry's name within the kind (the commit, plus what else changes the output). */
  key: string;
  cmakeFlags: readonly string[];
  /** Our own patches (absolute paths), applied after node-llama-cpp's; each must apply. */
  patches?: readonly string[];
  targets: readonly string[];
  /** A file, relative to the cache entry, whose presence marks a finished entry. */
  marker: string;
  /** Copies what the build produced (`buildDir`) into `out`, the folder that becomes the entry. */
  collect(buildDir: string, out: string): Promise<void>;
  /** Extra fields for the entry's build-info.json. */
  info?: Record<string, unknown>;
}

export interface BuildOptions {
  /** Build jobs (default: number of CPUs). */
  jobs?: number;
  /** Where progress lines go (default: nothing). The full log always goes to the cache's log file. */
  onProgress?: (line: string) => void;
}

export function cacheEntryDir(spec: Pick<BundleBuildSpec, "kind" | "key">): string {
  return path.join(cacheRoot(), spec.kind, spec.key);
}

/** The cache entry if it is finished, without building. */
export function cachedBuild(spec: Pick<BundleBuildSpec, "kind" | "key" | "marker">): string | undefined {
  const dir = cacheEntryDir(spec);
  return existsSync(path.join(dir, spec.marker)) ? dir : undefined;
}

const inProcess = new Map<string, Promise<string>>();

/** Returns the cache entry's folder, building it first if it is not cached. */
export function ensureBuild(spec: BundleBuildSpec, options: BuildOptions = {}): Promise<string> {
  const cached = cachedBuild(spec);
  if (cached) return Promise.resolve(cached);
  const id = `${spec.kind}/${spec.key}`;
  let pending = inProcess.get(id);
  if (!pending) {
    pending = buildWithLock(spec, options).finally(() => inProcess.delete(id));
    inProcess.set(id, pending);
  }
  return pending;
}

/** The first line of `<cmd> --version`, or undefined when the command is missing. */
export function commandVersion(cmd: string): string | undefined {
  try {
    return execFileSync(cmd, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n")[0]?.trim();
  } catch {
    return undefined;
  }
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

async function buildWithLock(spec: BundleBuildSpec, options: BuildOptions): Promise<string> {
  const parent = path.join(cacheRoot(), spec.kind);
  await mkdir(parent, { recursive: true });
  const lockDir = path.join(parent, `${spec.key}.lock`);
  const log = options.onProgress ?? (() => {});

  for (;;) {
    const done = cachedBuild(spec);
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
      log(`another process (pid ${owner}) is building ${spec.kind}; waiting`);
      await sleep(2_000);
    }
  }

  try {
    const done = cachedBuild(spec);
    if (done) return done;
    await removeStaleTemps(parent, spec.key);
    return await build(spec, parent, lockDir, options);
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** Temp folders are named `<key>.tmp-<pid>-XXXXXX`; remove those whose owner died. */
async function removeStaleTemps(parent: string, key: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const m = /\.tmp-(\d+)-/.exec(name);
    if (name.startsWith(`${key}.tmp-`) && m && !pidAlive(Number(m[1]))) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

async function build(spec: BundleBuildSpec, parent: string, lockDir: string, options: BuildOptions): Promise<string> {
  const log = options.onProgress ?? (() => {});
  const jobs = options.jobs ?? Math.max(1, os.availableParallelism());
  const commit = bundleCommit();
  const tmp = await mkdtemp(path.join(parent, `${spec.key}.tmp-${process.pid}-`));
  const logPath = path.join(parent, `${spec.key}.build.log`);
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
    log(`building ${spec.kind} ${commit.slice(0, 12)} in ${tmp} (log: ${logPath})`);
    await step("git", ["clone", "--quiet", bundlePath, src], tmp);
    await step("git", ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit], src);
    const patches = await applyPatches(src, logFile, log);
    for (const patch of spec.patches ?? []) {
      await step("git", ["apply", patch], src);
      patches.push(path.basename(patch));
    }

    const generator = commandVersion("ninja") ? ["-G", "Ninja"] : [];
    await step("cmake", ["-S", ".", "-B", "build", ...generator, ...spec.cmakeFlags], src);
    await step("cmake", ["--build", "build", "--target", ...spec.targets, "-j", String(jobs)], src);

    await mkdir(out);
    await spec.collect(buildDir, out);
    const buildMs = Date.now() - started;
    await writeFile(
      path.join(out, "build-info.json"),
      JSON.stringify(
        {
          commit,
          nodeLlamaCppRelease: await readFile(path.join(llamaDir, "llama.cpp.info.json"), "utf8").then(JSON.parse, () => undefined),
          patches,
          cmakeFlags: [...generator, ...spec.cmakeFlags],
          targets: spec.targets,
          compiler: commandVersion("c++"),
          jobs,
          buildMs,
          builtAt: new Date().toISOString(),
          host: { platform: process.platform, arch: process.arch, cpus: os.cpus()[0]?.model },
          ...spec.info,
        },
        null,
        2,
      ) + "\n",
    );
    if (!existsSync(path.join(out, spec.marker))) throw new Error(`the build finished but ${spec.marker} was not collected`);

    const final = cacheEntryDir(spec);
    await rename(out, final); // atomic publish
    log(`built in ${(buildMs / 1000).toFixed(0)} s → ${final}`);
    return final;
  } catch (err) {
    const tail = await readFile(logPath, "utf8").then((t) => t.split("\n").slice(-40).join("\n"), () => "");
    throw new Error(`${spec.kind} build failed: ${(err as Error).message}\n--- ${logPath} (tail) ---\n${tail}`);
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

/** Looks for a file the build produced: `bin/`, `bin/Release/`, then anywhere under `dir`. */
export async function findBuiltFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [path.join(dir, "bin", name), path.join(dir, "bin", "Release", name)]) {
    if (existsSync(candidate)) return candidate;
  }
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) return path.join(entry.parentPath, entry.name);
  }
  return undefined;
}

/** Runs `main` when the file is the entry point: `tsx native/<x>/build.ts [--jobs N]`. */
export function runAsScript(moduleUrl: string, main: (options: BuildOptions) => Promise<string>, label: string): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const jobsArg = process.argv.indexOf("--jobs");
  const jobs = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : undefined;
  main({ jobs, onProgress: (line) => process.stderr.write(`[${label}] ${line}\n`) }).then(
    (result) => process.stdout.write(`${result}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
