// Issue 21: with deepseekLocal.engine.shareAcrossWindows on, two windows of one user use one engine
// process (one model load): ghost text in both; kill -9 of the engine and both come back on one new
// engine; the first window closed while the second still completes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { enginePids, extensionLog, extensionId, quickCompletionSettings, statusText, typeAndWaitForGhostText, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';
import { Workbench } from '../lib/workbench.js';

export default defineCase({
  name: 'shared-engine',
  title: 'two windows on one shared engine: one model load, ghost text in both, kill -9 recovered, one window closed',
  settings: () => ({ ...quickCompletionSettings, 'deepseekLocal.engine.shareAcrossWindows': true, 'deepseekLocal.engine.idleExitMinutes': 0.1 }),
  // This case's own socket folder: no other case can meet its engine.
  env: (fx) => ({ DEEPSEEK_LOCAL_ENGINE_DIR: path.join(fx.scratchDir, 'engines') }),
  timeoutMs: 240_000,
  async run(t) {
    await t.step('window 1: extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('window 1: engine ready', () => waitForEngineReady(t.wb));
    const [pid, ...others] = enginePids(t.server);
    assert.ok(pid !== undefined && others.length === 0, `expected one engine process, found ${[pid, ...others].join(', ')}`);

    const second = await t.step('window 2 opens', () => Workbench.open(t.wb.page.context(), t.server));
    try {
      await t.step('window 2: extension activates', () => second.waitForActivation(extensionId));
      await t.step('window 2: engine ready', () => waitForEngineReady(second));
      assert.deepEqual(enginePids(t.server), [pid], 'window 2 uses the same engine process');
      const joined = await t.step('window 2 connected to the running engine', () =>
        second.waitForLog('connected line', () => extensionLog(second), /connected to the shared engine \(pid \d+, 2 window\(s\)\)/));
      t.log(`window 2: ${joined}`);
      assert.doesNotMatch(extensionLog(second), /started the shared engine/, 'window 2 started no engine');

      const first = await t.step('window 1: ghost text', () => typeAndWaitForGhostText(t.wb, 'src/math.ts', 'export const total = '));
      const other = await t.step('window 2: ghost text', () => typeAndWaitForGhostText(second, 'src/main.ts', 'const answer = '));
      t.log(`ghost text: ${JSON.stringify(first)} / ${JSON.stringify(other)}`);
      await t.screenshot('window-1');
      await second.screenshot(path.join(t.artifactsDir, 'window-2.png'));

      // The status bar still reads ready for a moment after the kill: count the windows' ready states instead.
      const readyStates = (wb: Workbench) => (extensionLog(wb).match(/engine state: ready/g) ?? []).length;
      const readyBefore = [readyStates(t.wb), readyStates(second)];
      t.log(`kill -9 ${pid}`);
      process.kill(pid, 'SIGKILL');
      await t.step('both windows ready again', () =>
        waitFor('a new ready state in both windows', () => (readyStates(t.wb) > readyBefore[0]! && readyStates(second) > readyBefore[1]! ? true : undefined), { timeoutMs: 120_000 }));
      await Promise.all([waitForEngineReady(t.wb), waitForEngineReady(second)]);
      const restarted = await t.step('one new engine process', () => waitFor('one new engine pid', () => {
        const pids = enginePids(t.server);
        return pids.length === 1 && pids[0] !== pid ? pids[0] : undefined;
      }, { timeoutMs: 20_000 }));
      t.log(`new engine pid ${restarted}`);
      await t.step('window 2: ghost text after the restart', () => typeAndWaitForGhostText(second, 'src/main.ts', 'export function afterRestart(count: number) { return '));

      await t.step('window 1 closes', () => t.wb.page.close());
      const last = await t.step('window 2: ghost text with window 1 closed', () => typeAndWaitForGhostText(second, 'src/main.ts', 'const lonelyWindowTotal = samples.length * '));
      // Prompts never typed before: the answers come from the engine, not from the completion cache.
      t.log(`ghost text with window 1 closed: ${JSON.stringify(last)}; status bar: ${await statusText(second)}`);
      assert.deepEqual(enginePids(t.server), [restarted], 'the shared engine still runs, alone');
      await second.screenshot(path.join(t.artifactsDir, 'window-2-alone.png'));
    } finally {
      await second.page.close().catch(() => undefined);
      // The engine outlives the windows by design (idle exit in 6 s here); the case leaves none behind.
      for (const engine of enginePids(t.server)) process.kill(engine, 'SIGKILL');
    }
  },
});
