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

    await t.step('"Open Settings" opens the model setting', async () => {
      await t.wb.clickNotificationAction(notification, 'Open Settings');
      await t.wb.page.locator('.settings-editor').waitFor({ state: 'visible', timeout: 15_000 });
      await t.wb.page.locator('.settings-editor .setting-item-contents', { hasText: 'Path of the GGUF model file' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    });
    await t.screenshot('settings');
  },
});
