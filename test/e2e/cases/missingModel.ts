// (b) A model path that does not exist: an error notification says so and offers its next
// actions; the status bar says "no model"; "Open Settings" lands on the model setting.
import assert from 'node:assert/strict';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { waitForStatus } from '../lib/deepseek.js';

export default defineCase({
  name: 'missing-model',
  title: 'a missing model file shows a clear error with its next actions',
  settings: (fx) => ({ 'deepseekLocal.model.path': path.join(fx.scratchDir, 'no-such-model.gguf') }),
  async run(t) {
    const missing = path.join(t.fixtures.scratchDir, 'no-such-model.gguf');
    const notification = await t.step('error notification', () => t.wb.waitForNotification(/DeepSeek Local: .*not found/i));
    t.log(`notification: ${notification.text}`);
    assert.ok(notification.text.includes(missing), 'the message names the missing file');
    const actions = await t.wb.notificationActions(notification);
    assert.deepEqual(actions, ['Select Model File…', 'Open Settings']);
    await t.step('status bar says no model', () => waitForStatus(t.wb, /^DeepSeek: no model$/, 10_000));
    await t.screenshot('notification');

    await t.step('"Open Settings" shows the model path setting', async () => {
      await t.wb.clickNotificationAction(notification, 'Open Settings');
      const editor = t.wb.page.locator('.settings-editor');
      await editor.waitFor({ state: 'visible', timeout: 15_000 });
      const modelPath = editor.locator('.setting-item-contents', { hasText: 'Model: Path' }).first();
      const shown = await modelPath.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
      if (shown) return;
      // Say why, for the one way this is known to fail: a machine-scoped setting in a remote
      // window (code-server is always one) is listed only under the Remote tab.
      const activeTab = (await editor.locator('.settings-tabs-widget .checked').first().innerText().catch(() => '?')).trim();
      await t.screenshot('settings-without-model-path');
      await editor.locator('.settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click().catch(() => undefined);
      const underRemote = await modelPath.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      throw new Error(
        `the settings editor opened on the "${activeTab}" tab without deepseekLocal.model.path` +
          (underRemote ? ' (it is listed only under the Remote tab: the setting is machine-scoped and this is a remote window)' : ''),
      );
    });
    await t.screenshot('settings');
  },
});
