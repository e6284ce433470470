// Chromium, Node 24 and code-server, as installed by scripts/install-e2e-deps.sh (the one place
// that knows versions and install steps). The script is idempotent and fast when all is there, so
// it runs every time and its manifest is the answer.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface E2eDeps {
  chromium: string;
  /** Node 24: code-server runs on it. */
  node: string;
  codeServerEntry: string;
  codeServerVersion: string;
}

export function cacheDir(): string {
  return process.env.DEEPSEEK_LOCAL_CACHE || path.join(os.homedir(), '.cache', 'deepseek-local');
}

export function ensureE2eDeps(): E2eDeps {
  const script = path.join(repoRoot, 'scripts', 'install-e2e-deps.sh');
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${path.relative(repoRoot, script)} failed (exit ${result.status ?? result.signal})`);
  const manifest = path.join(cacheDir(), 'e2e-deps.json');
  const deps = JSON.parse(readFileSync(manifest, 'utf8')) as E2eDeps;
  for (const file of [deps.chromium, deps.node, deps.codeServerEntry]) {
    if (!existsSync(file)) throw new Error(`${manifest} names ${file}, which does not exist`);
  }
  return deps;
}
