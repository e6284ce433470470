// `npm run package`: one VSIX per target platform, each carrying only that platform's
// node-llama-cpp binaries (issue 10).
//
// The bundle (dist/extension.js, dist/engine.mjs) has everything inlined except node-llama-cpp,
// which loads native binaries and must ship as a package. `vsce package --no-dependencies` leaves
// out the top-level node_modules entirely, and vsce's npm mode would ship every production
// dependency (most of which are already bundled) plus every platform's binaries. So each target
// gets a staging folder with the manifest, the bundle, media and exactly node-llama-cpp's runtime
// dependency closure copied from our lockfile-installed node_modules (no network, the versions the
// tests ran), plus the target's `@node-llama-cpp/<platform>` package (from node_modules when
// installed here, else `npm pack` from the registry, cached). vsce then runs in npm mode inside the
// staging folder, where `npm list` sees only that closure, and `.vscodeignore` (an allow-list)
// decides the files.
//
//
// GPU backends (issue 26): a target carries its default GPU backend unless told otherwise, so a
// user's GPU is used with no manual step. Vulkan on linux-x64 and win32-x64 (NVIDIA, AMD and Intel
// GPUs; it needs only the Vulkan loader, which GPU drivers install, and adds ~71 MB unpacked);
// Metal is the base binary on Apple silicon. CUDA is opt-in: node-llama-cpp's CUDA binaries are
// 181 + 358 MB and link against the CUDA runtime (libcudart/libcublas .so.13), which an NVIDIA
// driver alone does not install, so for most users they would be dead weight; Vulkan runs on the
// same cards. The backends a VSIX carries are recorded in its manifest (`nativeBackends`).
// Fetching a backend on first use instead was weighed and left out: node-llama-cpp 3.22.1 finds
// prebuilt binaries only inside its own package (llama/localBuilds, bins) or through
// `import("@node-llama-cpp/<name>")` resolved from its own folder (bindings/utils/compileLLamaCpp.js,
// getPrebuiltBinaryPath), so a binary in the extension's global storage would need a module
// resolution hook or writes into the installed extension; carrying Vulkan (~23 MB compressed
// beside the CPU binary) reaches NVIDIA, AMD and Intel users with no download and works offline.
//
//   npm run package                          every target, with its default GPU backends
//   npm run package -- --target linux-x64    one (repeatable)
//   npm run package -- --gpu cuda,vulkan     these GPU backends instead of the defaults
//   npm run package -- --gpu none            CPU (or Metal) only
//   npm run package -- --no-build            reuse dist/ as it is
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRebuiltCpuBackend } from './ggml-cpu/build';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type GpuFlavour = 'vulkan' | 'cuda';

interface TargetBinaries {
  /** The CPU binary, or Metal's on Apple silicon (node-llama-cpp's Metal build is the base there). */
  base: string[];
  /** The GPU backend the base binary itself provides, if any. */
  baseGpu?: 'metal';
  gpu: Partial<Record<GpuFlavour, string[]>>;
  /** Flavours carried when `--gpu` is not given. */
  defaultGpu: GpuFlavour[];
}

/** vsce target → node-llama-cpp binary packages: the base first, then per GPU flavour. */
export const binaryPackages: Record<string, TargetBinaries> = {
  'linux-x64': {
    base: ['linux-x64'],
    gpu: { vulkan: ['linux-x64-vulkan'], cuda: ['linux-x64-cuda', 'linux-x64-cuda-ext'] },
    defaultGpu: ['vulkan'],
  },
  'linux-arm64': { base: ['linux-arm64'], gpu: {}, defaultGpu: [] },
  'linux-armhf': { base: ['linux-armv7l'], gpu: {}, defaultGpu: [] },
  'darwin-arm64': { base: ['mac-arm64-metal'], baseGpu: 'metal', gpu: {}, defaultGpu: [] },
  'darwin-x64': { base: ['mac-x64'], gpu: {}, defaultGpu: [] },
  'win32-x64': {
    base: ['win-x64'],
    gpu: { vulkan: ['win-x64-vulkan'], cuda: ['win-x64-cuda', 'win-x64-cuda-ext'] },
    defaultGpu: ['vulkan'],
  },
  'win32-arm64': { base: ['win-arm64'], gpu: {}, defaultGpu: [] },
};
export const vsixTargets = Object.keys(binaryPackages);

/** What one target's VSIX carries: `@node-llama-cpp/<name>` packages (all at node-llama-cpp's exact version) and the GPU backends they give. */
export interface TargetBackends {
  packages: string[];
  gpuBackends: ('metal' | GpuFlavour)[];
}

/** `gpu`: the flavours asked for (undefined: the target's defaults); a flavour the target has no binary for is skipped. */
export function targetBackends(target: string, gpu?: GpuFlavour[]): TargetBackends {
  const spec = binaryPackages[target];
  if (!spec) throw new Error(`unknown target ${target}; known: ${vsixTargets.join(', ')}`);
  const flavours = (gpu ?? spec.defaultGpu).filter((flavour) => spec.gpu[flavour]);
  return {
    packages: [...spec.base, ...flavours.flatMap((flavour) => spec.gpu[flavour]!)],
    gpuBackends: [...(spec.baseGpu ? [spec.baseGpu] : []), ...flavours],
  };
}

export interface PackageOptions {
  targets: string[];
  /** Run `npm run build` first (default true). */
  build?: boolean;
  /** GPU backends to carry besides the base binary; undefined: the target's defaults (`targetBackends`). */
  gpu?: GpuFlavour[];
  /** Where the .vsix files go (default `<repo>/vsix`). */
  outDir?: string;
  /** Staging folders (default `<repo>/.cache/vsix`); a run of its own (e2e, npm start) passes a private one. */
  stageDir?: string;
  log?: (line: string) => void;
  /** Show the output of npm and vsce only when they fail. */
  quiet?: boolean;
}

export interface PackagedVsix {
  target: string;
  file: string;
  bytes: number;
  binaryPackages: string[];
  gpuBackends: TargetBackends['gpuBackends'];
}

const cacheDir = path.join(repoRoot, '.cache', 'vsix');

export function vsixPath(target: string, outDir = path.join(repoRoot, 'vsix')): string {
  const { name, version } = readJson(path.join(repoRoot, 'package.json')) as { name: string; version: string };
  return path.join(outDir, `${name}-${target}-${version}.vsix`);
}

export async function packageVsix(options: PackageOptions): Promise<PackagedVsix[]> {
  const log = options.log ?? ((line: string) => console.log(`[package] ${line}`));
  for (const target of options.targets) {
    if (!binaryPackages[target]) throw new Error(`unknown target ${target}; known: ${vsixTargets.join(', ')}`);
  }
  const run = (command: string, args: string[], cwd: string) => runOrThrow(command, args, cwd, options.quiet === true);
  if (options.build !== false) run('npm', ['run', 'build'], repoRoot);
  for (const file of ['dist/extension.js', 'dist/engine.mjs']) {
    if (!existsSync(path.join(repoRoot, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }

  // The host's own target ships node-llama-cpp's CPU variants rebuilt here (native/ggml-cpu):
  // what the tests and the bench ran. Other targets, or a host without a compiler, ship the prebuilt ones.
  const hostTarget = `${process.platform}-${process.arch}`;
  const installed = options.targets.includes(hostTarget)
    ? await tryRebuiltCpuBackend((line) => log(`${hostTarget}: ${line}`), { onProgress: options.quiet ? undefined : log })
    : undefined;
  const localBuild = installed && path.basename(installed);

  const closure = nodeLlamaCppClosure();
  const llamaVersion = (readJson(path.join(repoRoot, 'node_modules/node-llama-cpp/package.json')) as { version: string }).version;
  const results: PackagedVsix[] = [];
  const failures: string[] = [];
  for (const target of options.targets) {
    try {
      results.push(packageTarget(target));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${target}: NOT PACKAGED: ${message}`);
      failures.push(`${target}: ${message}`);
    }
  }
  if (failures.length > 0) throw new PackagingError(results, failures);
  return results;

  function packageTarget(target: string): PackagedVsix {
    const backends = targetBackends(target, options.gpu);
    const binaries = backends.packages;
    const stage = path.join(options.stageDir ?? cacheDir, `stage-${target}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    writeStagedManifest(stage, stagedManifest(readJson(path.join(repoRoot, 'package.json')) as Record<string, unknown>, llamaVersion, backends));
    stageExtensionFiles(stage);
    for (const dir of closure) copyPackage(dir, path.join(stage, path.relative(repoRoot, dir)), target === hostTarget ? localBuild : undefined);
    for (const name of binaries) {
      copyPackage(binaryPackageDir(name, llamaVersion, log, run), path.join(stage, 'node_modules/@node-llama-cpp', name));
    }

    const file = vsixPath(target, options.outDir);
    mkdirSync(path.dirname(file), { recursive: true });
    rmSync(file, { force: true });
    const args = ['package', '--target', target, '--dependencies', '--out', file, '--allow-missing-repository'];
    if (!existsSync(path.join(stage, 'LICENSE'))) args.push('--skip-license');
    run(process.execPath, [path.join(repoRoot, 'node_modules/@vscode/vsce/vsce'), ...args], stage);
    const bytes = statSync(file).size;
    log(`${target}: ${shortPath(file)} ${(bytes / 1024 / 1024).toFixed(1)} MiB (@node-llama-cpp/${binaries.join(', @node-llama-cpp/')})`);
    return { target, file, bytes, binaryPackages: binaries, gpuBackends: backends.gpuBackends };
  }
}

/** Some targets could not be packaged; `packaged` holds the ones that were. */
export class PackagingError extends Error {
  constructor(
    readonly packaged: PackagedVsix[],
    readonly failures: string[],
  ) {
    super(`${failures.length} target(s) not packaged:\n  ${failures.join('\n  ')}`);
  }
}

/**
 * The staged manifest: dependencies are what the VSIX really carries, and `nativeBackends` records
 * the binary packages with their exact version and the GPU backends they give.
 */
export function stagedManifest(manifest: Record<string, unknown>, llamaVersion: string, backends: TargetBackends): Record<string, unknown> {
  const staged = { ...manifest };
  delete staged.devDependencies;
  delete staged.scripts; // vsce would run `vscode:prepublish`; the bundle is built already
  staged.dependencies = { 'node-llama-cpp': llamaVersion };
  staged.nativeBackends = {
    nodeLlamaCpp: llamaVersion,
    packages: Object.fromEntries(backends.packages.map((name) => [`@node-llama-cpp/${name}`, llamaVersion])),
    gpu: backends.gpuBackends,
  };
  return staged;
}

function writeStagedManifest(stage: string, manifest: Record<string, unknown>): void {
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** The extension's own files besides the manifest. */
function stageExtensionFiles(stage: string): void {
  for (const entry of ['.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist', 'media']) {
    const from = path.join(repoRoot, entry);
    if (existsSync(from)) cpSync(from, path.join(stage, entry), { recursive: true, filter: (f) => !f.endsWith('.map') });
  }
}

/**
 * node-llama-cpp and its runtime dependencies as installed here, resolved the way Node does
 * (nested node_modules first, then each ancestor's). Optional dependencies are kept only when
 * they are plain JavaScript: native ones (`os`/`cpu`/`napi` in their manifest) belong to this
 * machine's platform, and node-llama-cpp's own binaries are chosen per target.
 */
export function nodeLlamaCppClosure(): string[] {
  const seen = new Set<string>();
  const queue = [path.join(repoRoot, 'node_modules/node-llama-cpp')];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = readJson(path.join(dir, 'package.json')) as {
      name: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const found = resolvePackage(dir, name);
      if (!found) throw new Error(`${manifest.name} needs ${name}, which is not installed: run npm ci`);
      queue.push(found);
    }
    if (manifest.name === 'node-llama-cpp') continue;
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      if (manifest.dependencies?.[name]) continue;
      const found = resolvePackage(dir, name);
      if (!found) continue;
      const optional = readJson(path.join(found, 'package.json')) as Record<string, unknown>;
      if (!optional.os && !optional.cpu && !optional.napi) queue.push(found);
    }
  }
  return [...seen].sort();
}

function resolvePackage(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    if (dir === repoRoot || dir === path.dirname(dir)) return undefined;
  }
}

/** Files of node_modules packages a running extension never reads. */
const droppedInPackages = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/;
/** node-llama-cpp ships llama.cpp's sources (a 34 MB git bundle) and CLI templates for building from source; the prebuilt binaries make them dead weight. */
const droppedInNodeLlamaCpp = /^(templates|llama\/(gitRelease\.bundle|addon|cmake|toolchains|xpack|patches|profiles|CMakeLists\.txt|\.clang-format))(\/|$)/;

/** `localBuild`: the one node-llama-cpp local build (llama/localBuilds/<name>) the target ships, if any. */
function copyPackage(from: string, to: string, localBuild?: string): void {
  const isNodeLlamaCpp = path.basename(from) === 'node-llama-cpp';
  cpSync(from, to, {
    recursive: true,
    filter: (file) => {
      const rel = path.relative(from, file).split(path.sep).join('/');
      if (rel === '') return true;
      if (rel === 'node_modules' || rel.startsWith('node_modules/')) return false; // nested deps come from the closure
      if (droppedInPackages.test(rel)) return false;
      if (!isNodeLlamaCpp) return true;
      const inLocalBuilds = /^llama\/localBuilds\/([^/]+)/.exec(rel);
      if (inLocalBuilds) return inLocalBuilds[1] === localBuild;
      return !droppedInNodeLlamaCpp.test(rel);
    },
  });
}

/** The installed binary package, or one fetched with `npm pack` (cached) for other platforms. */
type Runner = (command: string, args: string[], cwd: string) => void;

function binaryPackageDir(name: string, version: string, log: (line: string) => void, run: Runner): string {
  const installed = path.join(repoRoot, 'node_modules/@node-llama-cpp', name);
  if (existsSync(path.join(installed, 'package.json'))) {
    const installedVersion = (readJson(path.join(installed, 'package.json')) as { version: string }).version;
    if (installedVersion === version) return installed;
  }
  const unpacked = path.join(cacheDir, 'packs', `${name}-${version}`);
  if (existsSync(path.join(unpacked, 'package', 'package.json'))) return path.join(unpacked, 'package');
  log(`fetching @node-llama-cpp/${name}@${version} with npm pack`);
  // The binaries must be the exact version of node-llama-cpp's JavaScript (the addon's API moves
  // between releases), so no nearby version stands in for a missing one.
  const published = spawnSync('npm', ['view', `@node-llama-cpp/${name}@${version}`, 'version'], { encoding: 'utf8' });
  if (/E404|No match found/.test(published.stderr ?? '') || (published.status === 0 && published.stdout.trim() === '')) {
    const latest = spawnSync('npm', ['view', `@node-llama-cpp/${name}`, 'version'], { encoding: 'utf8' }).stdout.trim();
    throw new Error(`@node-llama-cpp/${name}@${version} is not published in the npm registry (latest there: ${latest || 'none'}); it must match node-llama-cpp ${version}`);
  }
  const tmp = `${unpacked}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('npm', ['pack', '--silent', `@node-llama-cpp/${name}@${version}`], tmp);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack @node-llama-cpp/${name}@${version} produced no tarball`);
  run('tar', ['-xzf', tarball], tmp);
  rmSync(path.join(tmp, tarball));
  rmSync(unpacked, { recursive: true, force: true });
  renameSync(tmp, unpacked);
  return path.join(unpacked, 'package');
}

function runOrThrow(command: string, args: string[], cwd: string, quiet: boolean): void {
  const result = spawnSync(command, args, { cwd, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : '';
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${result.error?.message ?? `exit ${result.status ?? result.signal}`})${output}`);
  }
}

/** Relative to the checkout when inside it. */
function shortPath(file: string): string {
  const relative = path.relative(repoRoot, file);
  return relative.startsWith('..') ? file : relative;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** `--gpu cuda,vulkan` / `--gpu none`: the GPU backends to carry instead of the target's defaults. */
export function parseGpuFlavours(value: string): GpuFlavour[] {
  const flavours = value.split(',').filter((flavour) => flavour !== 'none');
  for (const flavour of flavours) {
    if (flavour !== 'vulkan' && flavour !== 'cuda') throw new Error(`--gpu takes vulkan, cuda or none, not ${flavour}`);
  }
  return flavours as GpuFlavour[];
}

function parseArgs(argv: string[]): PackageOptions {
  const options: PackageOptions = { targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target' || arg === '-t') options.targets.push(...(argv[++i] ?? '').split(','));
    else if (arg.startsWith('--target=')) options.targets.push(...arg.slice('--target='.length).split(','));
    else if (arg === '--gpu') (options.gpu ??= []).push(...parseGpuFlavours(argv[++i] ?? ''));
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--out') options.outDir = path.resolve(argv[++i] ?? '');
    else throw new Error(`unknown argument ${arg}`);
  }
  if (options.targets.length === 0) options.targets = vsixTargets;
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const summarize = (results: PackagedVsix[]) => {
    for (const r of results) console.log(`${r.target}\t${(r.bytes / 1024 / 1024).toFixed(1)} MiB\t${shortPath(r.file)}\tGPU: ${r.gpuBackends.join(', ') || 'none'}`);
  };
  packageVsix(parseArgs(process.argv.slice(2))).then(summarize, (error: unknown) => {
    if (error instanceof PackagingError) summarize(error.packaged);
    console.error(`[package] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
