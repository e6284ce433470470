// `npm start [-- --model FILE | --synthetic] [--port N] [--gpu vulkan|cuda|none] [--no-build]`
//
// Runs the extension the way a user meets it: builds, packages the linux-x64 VSIX (with the GPU
// backend a user's VSIX carries, Vulkan, unless --gpu says otherwise), installs it into
// a private code-server (installed by scripts/install-e2e-deps.sh into the cache when missing) and
// serves VS Code on 127.0.0.1 with the sample workspace. The model: `--model FILE` or
// DEEPSEEK_LOCAL_MODEL if given; otherwise (or with --synthetic) the synthetic DeepSeek model,
// which the status bar labels "DeepSeek demo". Ctrl+C stops everything it started.
//
// State that should outlive a restart (the workbench's user data, the workspace copy you edit)
// lives in `${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}/start/`; code-server gets its own HOME
// and TMPDIR there, so nothing lands in your ~/.config or /tmp.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageVsix, parseGpuFlavours, type GpuFlavour } from '../native/package-vsix';
import { ensureSyntheticModel } from '../test/fixtures/synthetic-model/index';
import { freePort, installExtensions, startCodeServer } from '../test/e2e/lib/codeServer.js';
import { cacheDir, ensureE2eDeps, repoRoot } from '../test/e2e/lib/deps.js';
import { installSignalHandlers, isStopping, onCleanup, stopAll } from '../test/e2e/lib/processes.js';
import { sampleWorkspace } from '../test/e2e/lib/session.js';
import { defaultSettings } from '../test/e2e/lib/settings.js';

interface Args {
  model?: string;
  synthetic: boolean;
  port?: number;
  build: boolean;
  /** GPU backends for the VSIX; undefined: the target's defaults. */
  gpu?: GpuFlavour[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { synthetic: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--model') args.model = argv[++i];
    else if (arg.startsWith('--model=')) args.model = arg.slice('--model='.length);
    else if (arg === '--synthetic') args.synthetic = true;
    else if (arg === '--port') args.port = Number(argv[++i]);
    else if (arg === '--no-build') args.build = false;
    else if (arg === '--gpu') args.gpu = parseGpuFlavours(argv[++i] ?? '');
    else if (arg === '--help' || arg === '-h') {
      console.log('npm start -- [--model FILE | --synthetic] [--port N] [--gpu vulkan|cuda|none] [--no-build]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  if (args.port !== undefined && !(Number.isInteger(args.port) && args.port > 0 && args.port < 65536)) throw new Error('--port takes a port number');
  return args;
}

const log = (line: string) => console.log(`[start] ${line}`);

async function resolveModel(args: Args): Promise<{ file: string; synthetic: boolean }> {
  const configured = args.synthetic ? undefined : (args.model ?? process.env.DEEPSEEK_LOCAL_MODEL);
  if (configured) {
    const file = path.resolve(configured);
    if (!existsSync(file)) throw new Error(`model file ${file} does not exist`);
    return { file, synthetic: false };
  }
  log('no model given (--model FILE or DEEPSEEK_LOCAL_MODEL): using the synthetic DeepSeek model (random weights)');
  return { file: await ensureSyntheticModel(), synthetic: true };
}

/** The user's settings from the last start, so changes made in the UI survive; ours on top where they must. */
function mergedSettings(file: string, ours: Record<string, unknown>, modelPath: string): Record<string, unknown> {
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first start, or a file with comments: start from our defaults
  }
  return { ...ours, ...previous, 'deepseekLocal.model.path': modelPath };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  installSignalHandlers({ exitZero: true });
  if (args.build) {
    log('building');
    const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  log('packaging the linux-x64 VSIX');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'dsl-start-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const [{ file: vsix, gpuBackends }] = await packageVsix({ targets: ['linux-x64'], build: false, quiet: true, log, stageDir: workDir, outDir: workDir, gpu: args.gpu });
  log(`the VSIX carries GPU backends: ${gpuBackends.join(', ') || 'none'}`);
  const deps = ensureE2eDeps();
  const model = await resolveModel(args);

  const home = path.join(cacheDir(), 'start');
  const workspace = path.join(home, 'workspace');
  if (!existsSync(workspace)) cpSync(sampleWorkspace, workspace, { recursive: true });
  const extensionsDir = path.join(home, 'extensions');
  log('installing the VSIX into code-server');
  await installExtensions(deps, { dir: path.join(home, 'install'), extensionsDir, vsix: [vsix], logFile: path.join(home, 'install-extension.log') });

  const userDataDir = path.join(home, 'server', 'user-data');
  const settings = mergedSettings(path.join(userDataDir, 'User', 'settings.json'), defaultSettings(model.file), model.file);
  const logFile = path.join(home, 'code-server.log');
  const server = await startCodeServer({
    deps,
    dir: path.join(home, 'server'),
    extensionsDir,
    workspace,
    settings,
    logFile,
    port: args.port ?? (await freePort()),
  });
  onCleanup(() => server.stop());

  console.log('');
  console.log(`  DeepSeek Local in VS Code (code-server ${deps.codeServerVersion}):`);
  console.log(`    ${server.url}/?folder=${encodeURIComponent(workspace)}`);
  console.log(`  model: ${model.file}${model.synthetic ? ' (synthetic: random weights, the status bar says "DeepSeek demo")' : ''}`);
  console.log(`  workspace: ${workspace}`);
  console.log(`  logs: ${logFile}, ${server.logsDir}`);
  console.log('  Ctrl+C stops code-server and the engine.');
  console.log('');

  const code = await server.process.exited;
  if (isStopping()) return; // Ctrl+C: the signal handler finishes
  log(`code-server exited on its own (${code}); see ${logFile}`);
  await stopAll();
  process.exit(typeof code === 'number' ? code : 1);
}

main().catch(async (error: unknown) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
