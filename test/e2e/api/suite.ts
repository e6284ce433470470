// The API test suite: every test file, in order. `run()` is the `extensionTestsPath` entry that
// @vscode/test-electron (electron.ts) calls; the code-server route (companion.ts) uses runSuite()
// to get one result per test.
import * as commands from './extension.api.js';
import * as engine from './engine.api.js';
import * as languageModel from './languageModel.api.js';
import * as settings from './settings.api.js';
import { measured } from './helpers.js';

export const apiTests: { name: string; run: () => Promise<void> }[] = [
  { name: 'extension', run: commands.run },
  { name: 'settings', run: settings.run },
  { name: 'languageModel', run: languageModel.run },
  // Stops and restarts the engine: keep it last.
  { name: 'engine', run: engine.run },
];

export interface ApiTestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export async function runSuite(log: (line: string) => void = console.log): Promise<ApiTestResult[]> {
  const results: ApiTestResult[] = [];
  for (const test of apiTests) {
    const started = Date.now();
    try {
      await test.run();
      results.push({ name: test.name, ok: true, ms: Date.now() - started });
      log(`ok   ${test.name} (${Date.now() - started} ms)${measured.length ? `: ${measured.splice(0).join('; ')}` : ''}`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name: test.name, ok: false, ms: Date.now() - started, error: message });
      log(`FAIL ${test.name}: ${message}`);
    }
  }
  return results;
}

/** The test-electron entry: rejects when any test failed. */
export async function run(): Promise<void> {
  const failed = (await runSuite()).filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`${failed.length} API test(s) failed: ${failed.map((r) => r.name).join(', ')}`);
}
