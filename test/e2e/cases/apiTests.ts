// The extension API tests (test/e2e/api/*.api.ts, the @vscode/test-electron kind) inside this
// code-server window: the companion extension runs them when DEEPSEEK_LOCAL_API_TESTS is set and
// writes one result per test; this case waits for that file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiTestResult } from '../api/suite.js';
import { defineCase } from '../lib/case.js';
import { waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const resultFile = (scratchDir: string) => path.join(scratchDir, 'api-results.json');

export default defineCase({
  name: 'api',
  title: 'extension API tests (full vscode API) pass inside code-server',
  // The suite generates answers through vscode.lm (languageModel.api.ts) besides restarting the engine.
  timeoutMs: 300_000,
  env: (fx) => ({ DEEPSEEK_LOCAL_API_TESTS: resultFile(fx.scratchDir), DEEPSEEK_LOCAL_API_EXPECT_MODEL: fx.syntheticModel }),
  async run(t) {
    const file = resultFile(t.fixtures.scratchDir);
    await t.step('suite finishes', () => waitFor('API test results', () => existsSync(file), { timeoutMs: 240_000, intervalMs: 500 }));
    const { results, log } = JSON.parse(readFileSync(file, 'utf8')) as { results: ApiTestResult[]; log: string[] };
    for (const line of log) t.log(`api: ${line}`);
    await t.step('engine ready after the suite', () => waitForEngineReady(t.wb, 30_000));
    await t.screenshot('after-suite');
    const failed = results.filter((r) => !r.ok);
    if (results.length === 0) throw new Error('the API suite ran no tests');
    if (failed.length > 0) {
      throw new Error(`API tests failed: ${failed.map((r) => `${r.name}: ${(r.error ?? '').split('\n')[0]}`).join('; ')}`);
    }
    t.log(`${results.length} API tests passed: ${results.map((r) => `${r.name} ${r.ms} ms`).join(', ')}`);
  },
});
