// (a) The extension activates on startup; the status bar item shows the engine state and reaches
// ready once the synthetic model loads, labelled as a random-weights demo.
import assert from 'node:assert/strict';
import { defineCase } from '../lib/case.js';
import { enginePids, extensionId, extensionLog, statusBarItemId, waitForEngineReady, waitForStatus } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'activation',
  title: 'activates; the status bar shows the engine state and reaches ready',
  async run(t) {
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    const first = await t.step('status bar item shows', () => waitForStatus(t.wb, /^DeepSeek/, 30_000));
    t.log(`status bar first read: "${first}"`);

    const ready = await t.step('engine reaches ready', () => waitForEngineReady(t.wb));
    assert.equal(ready, 'DeepSeek demo', 'the synthetic model is labelled as a demo in the status bar');
    const item = t.wb.statusBarItem(extensionId, statusBarItemId);
    const label = (await item.getAttribute('aria-label')) ?? '';
    assert.match(label, /random weights/, `status bar tooltip/label: ${label}`);

    await t.step('one engine process, a child of the extension host', async () => {
      const pids = enginePids(t.server);
      assert.equal(pids.length, 1, `engine processes: ${pids.join(', ')}`);
      t.log(`engine pid ${pids[0]}`);
    });
    await t.step('output channel logs the activation', () => waitFor('"DeepSeek Local activated" in the log', () => extensionLog(t.wb).includes('DeepSeek Local activated')));

    await t.step('tooltip on hover', async () => {
      await item.hover();
      await t.wb.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'random weights' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    });
    await t.screenshot('ready');
  },
});
