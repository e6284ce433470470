// Builds the test-only companion extension (test/e2e/api/companion.ts + the API test files) into
// a VSIX the harness installs next to DeepSeek Local. See api/companion.ts for why.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { echoTool } from '../api/echoTool.js';
import { repoRoot } from './deps.js';

export const companionId = 'deepseek-local.deepseek-local-e2e-api';

export async function buildApiCompanionVsix(workDir: string): Promise<string> {
  const stage = path.join(workDir, 'api-companion');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'test/e2e/api/companion.ts')],
    outfile: path.join(stage, 'dist/extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const manifest = {
    name: 'deepseek-local-e2e-api',
    displayName: 'DeepSeek Local API tests (test only)',
    description: 'Runs the extension API tests when DEEPSEEK_LOCAL_API_TESTS is set; nothing otherwise.',
    version: '0.0.0',
    publisher: 'deepseek-local',
    license: 'MIT',
    engines: { vscode: '^1.104.0' },
    main: './dist/extension.js',
    activationEvents: ['onStartupFinished'],
    extensionDependencies: ['deepseek-local.deepseek-local'],
    // The tool languageModel.api.ts offers to our chat as another extension's tool.
    contributes: { languageModelTools: [echoTool] },
  };
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(stage, 'README.md'), `# ${manifest.displayName}\n\n${manifest.description}\n`);
  writeFileSync(path.join(stage, '.vscodeignore'), '**\n!dist/extension.js\n!package.json\n!README.md\n');
  const vsix = path.join(workDir, 'deepseek-local-e2e-api.vsix');
  const result = spawnSync(process.execPath, [
    path.join(repoRoot, 'node_modules/@vscode/vsce/vsce'),
    'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix,
  ], { cwd: stage, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`packaging the API test companion failed:\n${result.stdout}${result.stderr}`);
  return vsix;
}
