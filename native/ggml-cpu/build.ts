// node-llama-cpp's CPU backend, rebuilt with this machine's compiler and installed as a
// node-llama-cpp local build (issues 3 and 11).
//
// node-llama-cpp's prebuilt Linux binary loads one of ~14 CPU backend variants
// (libggml-cpu-<variant>.so, picked by the CPU's features). They are built with GCC 11, whose
// code for tinyBLAS's f16 tiles zeroes the accumulator block on the stack on every call and spills
// the accumulators (docs/performance.md): f16 prompts run ~20% slower than the same source built
// by a newer compiler. This script builds the same variants from the same llama.cpp commit with the
// same CMake options node-llama-cpp's release builds use (GGML_CPU_ALL_VARIANTS, GGML_BACKEND_DL,
// no OpenMP, no -march=native), then installs a node-llama-cpp local build: the prebuilt binding,
// libllama and libggml-base as they are, with the rebuilt variants beside them. node-llama-cpp
// loads a local build before its prebuilt binary (getLlama with build "never" included), so the
// engine needs no option; ModelInfo.cpuBackend says which one runs.
//
//   npm run native:cpu                    → prints the installed folder (builds if not cached)
//   import { ensureRebuiltCpuBackend }    → same, for the test setup and the bench
//
// Cache: ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}/ggml-cpu/<commit>-<hash>/ (the hash covers
// the compiler, the flags and the variant list). Linux only: other platforms keep the prebuilt.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  bundleCommit,
  commandVersion,
  ensureBuild,
  findBuiltFile,
  llamaDir,
  repoRoot,
  runAsScript,
  type BuildOptions,
  type BundleBuildSpec,
} from "../llamaCppBuild";

/** The options node-llama-cpp's own release builds pass (compileLLamaCpp.js, CI mode). */
export const CPU_BACKEND_CMAKE_FLAGS: readonly string[] = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=ON",
  "-DGGML_BACKEND_DL=ON",
  "-DGGML_CPU_ALL_VARIANTS=ON",
  "-DGGML_NATIVE=OFF",
  "-DGGML_OPENMP=OFF",
  "-DGGML_CCACHE=OFF",
  "-DGGML_BUILD_NUMBER=1",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_TOOLS=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
  // The variants link `libggml-base.so` (no version suffix) and find it beside themselves, as the
  // prebuilt ones do: they are loaded next to the prebuilt libggml-base.
  "-DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON",
  "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON",
  "-DCMAKE_INSTALL_RPATH=$ORIGIN",
];

/**
 * GCC on x86-64 clears a small fixed-size block (tinyBLAS's accumulator tile, `D Cv[RN][RM] = {}`,
 * 384 bytes for f16 on AVX2) with `rep stosq` under the generic tuning the variants are built with.
 * Its start-up cost dominates a tile whose inner loop is short: on an AMD EPYC (Zen 3), 22% of the
 * tile's samples were on that one instruction, and f16 prompts on the tiny model ran at 0.77 of
 * llama-server built with -march=native, whose tuning clears with vector stores. Vector stores up
 * to 2 KiB (a library call above) take that cost away on any x86-64; clang has no such option and
 * does not need it.
 */
const GCC_X64_MEMSET_STRATEGY = "-mmemset-strategy=vector_loop:2048:noalign,libcall:-1:noalign";

/** The CMake options for the variants built by `compiler` (`c++ --version`'s first line) on `arch`. */
export function cpuBackendCmakeFlags(compiler: string, arch: string = process.arch): string[] {
  const isGcc = !/clang/i.test(compiler);
  if (arch !== "x64" || !isGcc) return [...CPU_BACKEND_CMAKE_FLAGS];
  return [...CPU_BACKEND_CMAKE_FLAGS, `-DCMAKE_C_FLAGS=${GCC_X64_MEMSET_STRATEGY}`, `-DCMAKE_CXX_FLAGS=${GCC_X64_MEMSET_STRATEGY}`];
}

const VARIANT_FILE = /^libggml-cpu-([\w.-]+)\.so$/;
const INSTALL_STAMP = "deepseek-local-cpu-backend.json";

/** node-llama-cpp's folder name for a CPU-only build here, e.g. `linux-x64`. */
export function localBuildName(): string {
  if (process.platform !== "linux") throw new Error(`the rebuilt CPU backend is for Linux; on ${process.platform} the prebuilt binary is used`);
  return `linux-${process.arch}`;
}

/** The prebuilt CPU-only binaries node-llama-cpp installed for this platform. */
export function prebuiltBinsDir(): string {
  const name = localBuildName();
  const dir = path.join(repoRoot, "node_modules", "@node-llama-cpp", name, "bins", name);
  if (!existsSync(path.join(dir, "llama-addon.node"))) throw new Error(`node-llama-cpp's prebuilt binary is not at ${dir}: run npm install first`);
  return dir;
}

/** The CPU variants the prebuilt binary ships: exactly these are rebuilt. */
export function prebuiltVariants(binsDir = prebuiltBinsDir()): string[] {
  return readdirSync(binsDir)
    .map((name) => VARIANT_FILE.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort();
}

/** The local build folder node-llama-cpp looks in first (its `llama/localBuilds/<name>`). */
export function localBuildDir(): string {
  return path.join(llamaDir, "localBuilds", localBuildName());
}

/**
 * Our changes to the CPU backend's source (see README.md): reuse-threadpool.diff keeps one ggml
 * threadpool for the graphs node-llama-cpp computes without one, instead of creating and joining
 * threads for every decoded token.
 */
export const CPU_BACKEND_PATCHES: readonly string[] = [path.join(repoRoot, "native", "ggml-cpu", "patches", "reuse-threadpool.diff")];

function cpuBackendSpec(): BundleBuildSpec {
  const variants = prebuiltVariants();
  if (variants.length === 0) throw new Error(`no libggml-cpu-*.so variants in ${prebuiltBinsDir()}`);
  const compiler = commandVersion("c++") ?? "unknown compiler";
  const patches = CPU_BACKEND_PATCHES.map((file) => readFileSync(file, "utf8"));
  const cmakeFlags = cpuBackendCmakeFlags(compiler);
  const hash = createHash("sha256").update(JSON.stringify({ compiler, flags: cmakeFlags, variants, patches })).digest("hex").slice(0, 12);
  const files = variants.map((v) => `libggml-cpu-${v}.so`);
  return {
    kind: "ggml-cpu",
    key: `${bundleCommit()}-${hash}`,
    cmakeFlags,
    patches: CPU_BACKEND_PATCHES,
    targets: variants.map((v) => `ggml-cpu-${v}`),
    marker: files[files.length - 1]!,
    info: { variants },
    async collect(buildDir, out) {
      for (const file of files) {
        const built = await findBuiltFile(buildDir, file);
        if (!built) throw new Error(`the build finished but ${file} is not in ${buildDir}`);
        await copyFile(built, path.join(out, file));
      }
    },
  };
}

/**
 * Builds the CPU variants (cached) and installs them as node-llama-cpp's local build for this
 * platform. Returns the installed folder; a second call with the same cache entry does nothing.
 */
export async function ensureRebuiltCpuBackend(options: BuildOptions = {}): Promise<string> {
  const spec = cpuBackendSpec();
  const entry = await ensureBuild(spec, options);
  const target = localBuildDir();
  const stamp = { cacheEntry: path.basename(entry), prebuilt: prebuiltFingerprint() };
  if (readStamp(target) === JSON.stringify(stamp)) return target;

  // Assemble beside the final folder, then swap it in: node-llama-cpp never sees a half build.
  const staging = `${target}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const release = path.join(staging, "Release");
  await mkdir(release, { recursive: true });
  const prebuilt = prebuiltBinsDir();
  await cp(prebuilt, release, { recursive: true });
  const rebuilt = readdirSync(entry).filter((f) => VARIANT_FILE.test(f));
  for (const file of rebuilt) await copyFile(path.join(entry, file), path.join(release, file));
  const prebuiltMetadata = JSON.parse(await readFile(path.join(prebuilt, "_nlcBuildMetadata.json"), "utf8")) as {
    buildOptions: Record<string, unknown>;
  };
  // This machine's distro, as node-llama-cpp reads it: it then loads the build without first
  // testing it in a child process (it tests builds made on another distro).
  const buildOptions = { ...prebuiltMetadata.buildOptions, platformInfo: await distroInfo() };
  await writeFile(path.join(release, "_nlcBuildMetadata.json"), JSON.stringify({ buildOptions }));
  await writeFile(path.join(staging, INSTALL_STAMP), JSON.stringify(stamp));
  await writeFile(path.join(staging, "buildDone.status"), "");
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  options.onProgress?.(`installed ${rebuilt.length} rebuilt CPU variants → ${target}`);
  return target;
}

/**
 * ensureRebuiltCpuBackend where it applies (Linux), for callers that go on without it: a failure
 * (no compiler, say) is said through `log` and node-llama-cpp's prebuilt variants run. Returns the
 * installed folder, or undefined.
 */
export async function tryRebuiltCpuBackend(log: (line: string) => void, options: BuildOptions = {}): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  try {
    return await ensureRebuiltCpuBackend(options);
  } catch (error) {
    log(`node-llama-cpp's prebuilt CPU variants run: ${(error as Error).message.split("\n")[0]}`);
    return undefined;
  }
}

function readStamp(dir: string): string | undefined {
  try {
    return readFileSync(path.join(dir, INSTALL_STAMP), "utf8");
  } catch {
    return undefined;
  }
}

/** Changes when node-llama-cpp or its prebuilt binary is upgraded: the local build is then redone. */
function prebuiltFingerprint(): string {
  const version = (dir: string) => (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  return `node-llama-cpp@${version(path.join(llamaDir, ".."))} ${localBuildName()}@${version(path.join(prebuiltBinsDir(), "..", ".."))}`;
}

/** `name` and `version` as node-llama-cpp's getLinuxDistroInfo reads them from os-release. */
async function distroInfo(): Promise<{ name: string; version: string }> {
  for (const file of ["/etc/os-release", "/usr/lib/os-release"]) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const fields = new Map<string, string>();
    for (const line of text.split("\n")) {
      const eq = line.indexOf("=");
      if (eq < 1) continue;
      const value = line.slice(eq + 1);
      fields.set(line.slice(0, eq).toLowerCase(), value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
    }
    return { name: fields.get("name") ?? "", version: fields.get("version_id") ?? fields.get("version") ?? "" };
  }
  return { name: "", version: "" };
}

runAsScript(import.meta.url, ensureRebuiltCpuBackend, "ggml-cpu");
