// `npm run test:e2e [-- [case names…] [--list] [--verbose] [--keep] [--vsix FILE]]`
//
// The product as a user meets it (issue 10): the linux-x64 VSIX installed with
// `code-server --install-extension` into a real VS Code (code-server), driven by Debian's chromium
// through playwright-core. Each case runs in its own code-server (fresh HOME, TMPDIR, user-data,
// config, workspace copy) and leaves a screenshot and the logs in test-results/e2e/<case>/.
// Expects `npm run build` to have run (the npm script does it).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageVsix } from '../../native/package-vsix';
import { cases } from './cases/index.js';
import { buildApiCompanionVsix } from './lib/apiCompanion.js';
import { repoRoot } from './lib/deps.js';
import { installSignalHandlers, onCleanup, stopAll } from './lib/processes.js';
import { E2eSession, type CaseResult } from './lib/session.js';

interface Args {
  filters: string[];
  list: boolean;
  verbose: boolean;
  keep: boolean;
  vsix?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { filters: [], list: false, verbose: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--list') args.list = true;
    else if (arg === '--verbose' || arg === '-v') args.verbose = true;
    else if (arg === '--keep') args.keep = true;
    else if (arg === '--vsix') args.vsix = path.resolve(argv[++i] ?? '');
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else args.filters.push(arg);
  }
  return args;
}

const log = (line: string) => console.log(`[e2e] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Cases that count as failed when the run dies before reporting them. */
let selectedCount = 1;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const c of cases) console.log(`${c.name.padEnd(20)} ${c.title}`);
    return 0;
  }
  const selected = args.filters.length === 0 ? cases : cases.filter((c) => args.filters.some((f) => c.name.includes(f)));
  if (selected.length === 0) throw new Error(`no case matches ${args.filters.join(', ')}; --list shows them`);
  selectedCount = selected.length;
  installSignalHandlers();
  const started = Date.now();

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'dsl-e2e-build-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  let vsix = args.vsix;
  if (!vsix) {
    log('packaging the linux-x64 VSIX');
    // Staged and written in this run's own folder: a concurrent run or `npm run package` in the
    // same checkout cannot swap the VSIX under us.
    [{ file: vsix }] = await packageVsix({ targets: ['linux-x64'], build: false, quiet: true, log, stageDir: workDir, outDir: workDir });
  }
  const companion = await buildApiCompanionVsix(workDir);

  const resultsDir = path.join(repoRoot, 'test-results', 'e2e');
  mkdirSync(resultsDir, { recursive: true });
  const session = await E2eSession.start({ resultsDir, vsix: [vsix, companion], verbose: args.verbose, keep: args.keep, log });
  log(`set up in ${seconds(Date.now() - started)}: code-server ${session.deps.codeServerVersion}, ${session.deps.chromium}, model ${path.basename(session.syntheticModel)}`);

  const results: CaseResult[] = [];
  for (const c of selected) {
    console.log(`▶ ${c.name}: ${c.title}`);
    const result = await session.runCase(c);
    results.push(result);
    const where = path.relative(repoRoot, result.artifactsDir);
    if (result.ok) console.log(`✓ ${c.name} (${seconds(result.ms)})  ${where}/`);
    else console.log(`✗ ${c.name} (${seconds(result.ms)}): ${result.error}\n  screenshot and logs: ${where}/`);
  }
  await stopAll();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`e2e: ${seconds(Date.now() - started)} in all`);
  // Repeated last, so that a log cut to its tail (CI keeps only that) still names what failed and why.
  for (const r of results.filter((result) => !result.ok)) console.log(`✗ ${r.name}: ${r.error}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`[e2e] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopAll();
    console.log(`0 passed, ${selectedCount} failed`);
    process.exit(1);
  },
);
