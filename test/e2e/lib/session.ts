// One e2e run: the shared pieces (deps, synthetic model, an extensions folder with the VSIX
// installed once, one chromium) and, per case, a fresh code-server with its own HOME, TMPDIR,
// user-data, config and a copy of the sample workspace, in a fresh browser context.
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ensureSyntheticModel } from '../../fixtures/synthetic-model/index';
import { collectLogs } from './artifacts.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';
import type { CaseContext, E2eCase, E2eFixtures } from './case.js';
import { freePort, installExtensions, startCodeServer, type CodeServer } from './codeServer.js';
import { extensionId } from './deepseek.js';
import { ensureE2eDeps, repoRoot, type E2eDeps } from './deps.js';
import { findProcesses, onCleanup } from './processes.js';
import { defaultSettings } from './settings.js';
import { Workbench } from './workbench.js';

export const sampleWorkspace = path.join(repoRoot, 'test/e2e/workspace');

/**
 * Every case runs as a user does: with deepseekLocal.engine.shareAcrossWindows at its default (on,
 * issue 21); DEEPSEEK_E2E_ENGINE=forked runs them with an engine per window. Each case's server has
 * its own XDG_RUNTIME_DIR, so its own socket folder; a shared engine, which outlives its windows by
 * design, is killed after the case.
 */
const engineModeSettings = process.env.DEEPSEEK_E2E_ENGINE === 'forked' ? { 'deepseekLocal.engine.shareAcrossWindows': false } : {};

export interface SessionOptions {
  /** test-results/e2e: one folder per case. */
  resultsDir: string;
  /** VSIX files to install, in order (DeepSeek Local first). */
  vsix: string[];
  /** Print each case's harness log lines as they happen. */
  verbose?: boolean;
  /** Keep the temporary run folder (servers' HOME, user-data, workspaces) after the run. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  artifactsDir: string;
}

export class E2eSession {
  private caseCount = 0;

  private constructor(
    readonly options: SessionOptions,
    readonly deps: E2eDeps,
    readonly runDir: string,
    readonly extensionsDir: string,
    readonly syntheticModel: string,
    readonly browser: LaunchedBrowser,
    /** One context for the run: its HTTP cache spares each case reloading the workbench's scripts. */
    readonly browserContext: BrowserContext,
    /** One port for the run (cases run one after another): the cache is per origin. */
    readonly port: number,
  ) {}

  static async start(options: SessionOptions): Promise<E2eSession> {
    const log = options.log ?? (() => undefined);
    const deps = ensureE2eDeps();
    // Short: code-server's unix sockets live under each case's TMPDIR (108-byte limit).
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'dsl-e2e-'));
    if (!options.keep) onCleanup(() => rmSync(runDir, { recursive: true, force: true }));
    else onCleanup(() => log(`kept ${runDir}`));
    // Playwright's browser profile and artifacts, and anything else of ours that asks os.tmpdir(),
    // land inside the run folder and go with it.
    mkdirSync(path.join(runDir, 'tmp'));
    process.env.TMPDIR = path.join(runDir, 'tmp');
    const syntheticModel = await ensureSyntheticModel();
    const extensionsDir = path.join(runDir, 'ext');
    const installDir = path.join(runDir, 'install');
    mkdirSync(options.resultsDir, { recursive: true });
    await installExtensions(deps, { dir: installDir, extensionsDir, vsix: options.vsix, logFile: path.join(options.resultsDir, 'install-extension.log') });
    const browser = await launchBrowser(deps, path.join(runDir, 'browser'));
    onCleanup(() => browser.close());
    const browserContext = await browser.browser.newContext({ viewport: { width: 1400, height: 900 } });
    return new E2eSession(options, deps, runDir, extensionsDir, syntheticModel, browser, browserContext, await freePort());
  }

  async runCase(c: E2eCase): Promise<CaseResult> {
    const index = ++this.caseCount;
    const caseDir = path.join(this.runDir, `c${index}`);
    const artifactsDir = path.join(this.options.resultsDir, c.name);
    rmSync(artifactsDir, { recursive: true, force: true });
    mkdirSync(artifactsDir, { recursive: true });
    const workspace = path.join(caseDir, 'workspace');
    cpSync(sampleWorkspace, workspace, { recursive: true });
    const fixtures: E2eFixtures = { syntheticModel: this.syntheticModel, workspace, scratchDir: path.join(caseDir, 'scratch') };
    mkdirSync(fixtures.scratchDir, { recursive: true });

    const started = Date.now();
    const harnessLog = createWriteStream(path.join(artifactsDir, 'harness.log'));
    const consoleLog = createWriteStream(path.join(artifactsDir, 'browser-console.log'));
    const log = (line: string) => {
      const stamped = `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`;
      harnessLog.write(`${stamped}\n`);
      if (this.options.verbose) console.log(`    ${stamped}`);
    };

    let server: CodeServer | undefined;
    let wb: Workbench | undefined;
    let error: unknown;
    const body = async () => {
      await c.prepare?.(fixtures);
      server = await startCodeServer({
        deps: this.deps,
        dir: caseDir,
        extensionsDir: this.extensionsDir,
        workspace,
        settings: { ...defaultSettings(this.syntheticModel), ...engineModeSettings, ...c.settings?.(fixtures) },
        env: c.env?.(fixtures),
        logFile: path.join(artifactsDir, 'code-server.log'),
        port: this.port,
      });
      log(`code-server ${server.url} (pid ${server.process.pid})`);
      wb = await Workbench.open(this.browserContext, server, { consoleLog: (line) => consoleLog.write(`${line}\n`) });
      log('workbench ready');
      await c.run(makeContext(wb, server, fixtures, artifactsDir, log));
    };
    const timeoutMs = c.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const running = body();
      running.catch(() => undefined); // after a timeout nobody awaits it
      await Promise.race([
        running,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`case timed out after ${timeoutMs / 1000} s`)), timeoutMs))),
      ]);
    } catch (caught) {
      error = caught;
      log(`FAILED: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`);
    } finally {
      clearTimeout(timer);
      const finished: Workbench | undefined = wb;
      const stoppedServer: CodeServer | undefined = server;
      if (finished) await finished.screenshot(path.join(artifactsDir, error ? 'failure.png' : 'final.png')).catch(() => undefined);
      await finished?.close();
      await stoppedServer?.stop();
      killLeftEngines(this.extensionsDir, log);
      if (stoppedServer) collectLogs(stoppedServer.logsDir, artifactsDir, extensionId);
      await Promise.all([endStream(harnessLog), endStream(consoleLog)]);
      if (!this.options.keep) rmSync(caseDir, { recursive: true, force: true });
    }
    const message = error instanceof Error ? error.message : error === undefined ? undefined : String(error);
    return { name: c.name, ok: error === undefined, ms: Date.now() - started, error: message, artifactsDir };
  }
}

function makeContext(wb: Workbench, server: CodeServer, fixtures: E2eFixtures, artifactsDir: string, log: (line: string) => void): CaseContext {
  return {
    wb,
    server,
    fixtures,
    artifactsDir,
    log,
    async screenshot(name) {
      await wb.screenshot(path.join(artifactsDir, `${name}.png`));
      log(`screenshot ${name}.png`);
    },
    async step(name, body) {
      const started = Date.now();
      log(`▶ ${name}`);
      try {
        const value = await body();
        log(`✓ ${name} (${Date.now() - started} ms)`);
        return value;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`step "${name}": ${message}`, { cause: error });
      }
    },
  };
}

/** Engines of this run's extension still running after their code-server stopped (shared ones outlive it). */
function killLeftEngines(extensionsDir: string, log: (line: string) => void): void {
  for (const engine of findProcesses(extensionsDir).filter((p) => p.cmdline.includes('dist/engine.mjs'))) {
    log(`killing the engine left running (pid ${engine.pid})`);
    try {
      process.kill(engine.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}
