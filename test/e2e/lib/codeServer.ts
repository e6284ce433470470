// code-server, hermetically: its own HOME, XDG dirs, TMPDIR, user-data, extensions and config per
// run, bound to 127.0.0.1 without auth. Flags and stray-file notes: ../shared/E2E-FACTS.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { E2eDeps } from './deps.js';
import { spawnTracked, type TrackedProcess } from './processes.js';

/** Environment for a process that must not touch the real HOME, ~/.config, ~/.cache or /tmp. */
export function hermeticEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dirs = {
    HOME: path.join(root, 'home'),
    XDG_CONFIG_HOME: path.join(root, 'home/.config'),
    XDG_CACHE_HOME: path.join(root, 'home/.cache'),
    XDG_DATA_HOME: path.join(root, 'home/.local/share'),
    XDG_STATE_HOME: path.join(root, 'home/.local/state'),
    XDG_RUNTIME_DIR: path.join(root, 'run'),
    TMPDIR: path.join(root, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm's own variables (npm run sets dozens) and a surrounding VS Code's would leak into the
    // extension host and the engine.
    if (/^(npm_|VSCODE_|ELECTRON_|NODE_OPTIONS$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...dirs, ...extra };
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly process: TrackedProcess;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  /** Where the exthost and output channel logs land (`<user-data>/logs`). */
  readonly logsDir: string;
  stop(): Promise<void>;
}

export interface StartCodeServerOptions {
  deps: E2eDeps;
  /** A fresh folder for this server's HOME, TMPDIR, user-data and config (keep it short: unix sockets live in TMPDIR). */
  dir: string;
  /** Shared with installExtension. */
  extensionsDir: string;
  workspace: string;
  /** Written to `User/settings.json` and `Machine/settings.json` before start. */
  settings: Record<string, unknown>;
  /** Extra environment for code-server, which reaches the extension host and the engine. */
  env?: Record<string, string>;
  logFile: string;
  port?: number;
  /** More code-server flags, e.g. `--disable-extension ID`. */
  extraArgs?: string[];
}

const baseFlags = [
  '--auth', 'none',
  '--disable-telemetry',
  '--disable-update-check',
  '--disable-workspace-trust',
  '--disable-getting-started-override',
];

/** Installs VSIX files offline into `extensionsDir` (code-server `--install-extension`, in order). */
export async function installExtensions(
  deps: E2eDeps,
  options: { dir: string; extensionsDir: string; vsix: string[]; logFile: string },
): Promise<void> {
  mkdirSync(options.extensionsDir, { recursive: true });
  const userDataDir = path.join(options.dir, 'user-data');
  const proc = spawnTracked('code-server --install-extension', deps.node, [
    deps.codeServerEntry,
    '--user-data-dir', userDataDir,
    '--extensions-dir', options.extensionsDir,
    '--config', path.join(options.dir, 'config.yaml'),
    ...options.vsix.flatMap((file) => ['--install-extension', file]),
    '--force',
  ], { env: hermeticEnv(options.dir), cwd: options.dir, logFile: options.logFile });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`installing ${options.vsix.map((f) => path.basename(f)).join(', ')} failed (exit ${code}); see ${options.logFile}`);
}

export async function startCodeServer(options: StartCodeServerOptions): Promise<CodeServer> {
  const userDataDir = path.join(options.dir, 'user-data');
  // Settings with `"scope": "machine"` (deepseekLocal.model.path) are read in a remote window only
  // from the remote machine's settings (`Machine/settings.json`), not from User settings.
  for (const scope of ['User', 'Machine']) {
    mkdirSync(path.join(userDataDir, scope), { recursive: true });
    writeFileSync(path.join(userDataDir, scope, 'settings.json'), JSON.stringify(options.settings, null, 2));
  }
  const configFile = path.join(options.dir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = options.port ?? (await freePort());
  const proc = spawnTracked('code-server', options.deps.node, [
    options.deps.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    ...baseFlags,
    '--user-data-dir', userDataDir,
    '--extensions-dir', options.extensionsDir,
    '--config', configFile,
    ...(options.extraArgs ?? []),
    options.workspace,
  ], { env: hermeticEnv(options.dir, options.env), cwd: options.dir, logFile: options.logFile });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, proc, 60_000);
  return {
    url,
    port,
    process: proc,
    userDataDir,
    extensionsDir: options.extensionsDir,
    workspace: options.workspace,
    logsDir: path.join(userDataDir, 'logs'),
    stop: () => proc.stop(),
  };
}

async function waitForHealth(url: string, proc: TrackedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  void proc.exited.then((code) => (exit = code));
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`code-server exited (${exit}) before answering ${url}/healthz`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s`);
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
