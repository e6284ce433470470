// Issue 26 in a real VS Code: the status bar tooltip says which backend runs the model and how many
// layers run where (this machine has no GPU: "CPU only"), and "Download Model…" recommends a file
// from what the engine's node-llama-cpp reports of the machine, counting the KV cache of every
// sequence (completion, chat, refactor).
import assert from 'node:assert/strict';
import { defineCase } from '../lib/case.js';
import { extensionId, statusBarItemId, waitForEngineReady } from '../lib/deepseek.js';

export default defineCase({
  name: 'hardware-report',
  title: 'the tooltip says where the layers run; the download list recommends a file from the engine\'s hardware report',
  async run(t) {
    const page = t.wb.page;
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine reaches ready', () => waitForEngineReady(t.wb));

    const tooltip = await t.step('the tooltip names the backend and where the layers run', async () => {
      await t.wb.statusBarItem(extensionId, statusBarItemId).hover();
      const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'DeepSeek Local: ready' }).first();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      return hover.innerText();
    });
    t.log(`tooltip: ${tooltip}`);
    assert.match(tooltip, /CPU only \(no GPU backend loaded\)/);
    // The tooltip says whose engine this is (one per window by default; issue 21).
    assert.match(tooltip, /(This window's engine|One engine for all your windows) \(pid \d+\)/);
    await t.screenshot('tooltip');
    await page.keyboard.press('Escape');

    const recommended = await t.step('"Download Model…" lists the recommended file first, with the reasons', async () => {
      await t.wb.runCommand('DeepSeek Local: Download Model…');
      // The list opens once the engine has answered what it sees of the machine (a short-lived engine process).
      const recommendedRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Recommended:' }).first();
      await recommendedRow.waitFor({ state: 'visible', timeout: 60_000 });
      const firstRow = await page.locator('.quick-input-widget .monaco-list-row').first().innerText();
      assert.equal(firstRow, await recommendedRow.innerText(), 'the recommended file is listed first');
      return firstRow;
    });
    t.log(`first row: ${recommended}`);
    assert.match(recommended, /Recommended: /);
    // From the engine's report (node-llama-cpp found no GPU here), and every sequence's KV cache counted.
    assert.match(recommended, /No GPU in use/);
    assert.match(recommended, /KV cache for its 3 sequences/);
    await t.screenshot('recommendation');
    await page.keyboard.press('Escape');
  },
});
