// (c) `kill -9` of the engine process: the user is told, the supervisor starts a new engine, the
// status bar comes back to ready and the next completion works.
import assert from 'node:assert/strict';
import { defineCase } from '../lib/case.js';
import { enginePids, extensionId, quickCompletionSettings, readyText, typeAndWaitForGhostText, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'engine-kill',
  title: 'kill -9 of the engine shows a message; the engine comes back and completes again',
  settings: () => quickCompletionSettings,
  timeoutMs: 150_000,
  async run(t) {
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));
    const [pid, ...others] = enginePids(t.server);
    assert.ok(pid !== undefined && others.length === 0, `expected one engine process, found ${[pid, ...others].join(', ')}`);

    t.log(`kill -9 ${pid}`);
    process.kill(pid, 'SIGKILL');
    const notification = await t.step('the user is told', () => t.wb.waitForNotification(/DeepSeek Local: .*Restarting the engine/i, 20_000));
    t.log(`notification: ${notification.text}`);
    await t.screenshot('restarting');

    await t.step('status bar ready again', () => waitForEngineReady(t.wb));
    const restarted = await t.step('a new engine process', () => waitFor('a new engine pid', () => {
      const pids = enginePids(t.server);
      return pids.length === 1 && pids[0] !== pid ? pids[0] : undefined;
    }, { timeoutMs: 10_000 }));
    t.log(`new engine pid ${restarted}`);
    assert.match((await t.wb.statusBarText(extensionId, 'deepseekLocal.status')) ?? '', readyText);
    await t.screenshot('recovered');

    const suggestion = await t.step('the next completion works', () => typeAndWaitForGhostText(t.wb, 'src/math.ts', 'export const total = '));
    t.log(`ghost text after the restart: ${JSON.stringify(suggestion)}`);
    await t.screenshot('completion-after-restart');
  },
});
