// The same API tests (suite.ts) under @vscode/test-electron, for machines that can download a
// VS Code build (this project's CI cannot: it runs them inside code-server, see companion.ts).
//
//   npm run test:api:electron [-- --model FILE] [--vscode-version 1.104.0]
//
// The extension loads from this checkout (extensionDevelopmentPath), with a fresh user-data and
// extensions folder, the sample workspace and the synthetic model unless --model is given.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { ensureSyntheticModel } from '../../fixtures/synthetic-model/index';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const model = option('--model') ? path.resolve(option('--model')!) : await ensureSyntheticModel();
  const work = mkdtempSync(path.join(os.tmpdir(), 'dsl-api-'));
  try {
    const suite = path.join(work, 'suite.js');
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'test/e2e/api/suite.ts')],
      outfile: suite,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      logLevel: 'warning',
    });
    const userData = path.join(work, 'user-data');
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'deepseekLocal.model.path': model, 'workbench.startupEditor': 'none' }));
    const workspace = path.join(work, 'workspace');
    cpSync(path.join(repoRoot, 'test/e2e/workspace'), workspace, { recursive: true });
    await runTests({
      version: option('--vscode-version') ?? 'stable',
      // Not ./.vscode-test in the checkout: the shared cache, like code-server's.
      cachePath: path.join(process.env.DEEPSEEK_LOCAL_CACHE || path.join(os.homedir(), '.cache', 'deepseek-local'), 'vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      extensionTestsEnv: { DEEPSEEK_LOCAL_API_EXPECT_MODEL: model },
      launchArgs: [
        workspace,
        '--user-data-dir', userData,
        '--extensions-dir', path.join(work, 'extensions'),
        '--disable-extensions', // other extensions; the one under development still loads
        '--disable-workspace-trust',
        '--skip-welcome',
      ],
    });
    console.log('API tests passed (VS Code via @vscode/test-electron)');
    return 0;
  } catch (error) {
    console.error(`API tests failed or VS Code could not be started: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
