// (b') A file that is not a GGUF model: the message says what is wrong with it and what to do.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeNotGguf } from '../../fixtures/synthetic-model/index';
import { defineCase } from '../lib/case.js';
import { waitForStatus } from '../lib/deepseek.js';

const fileName = 'corrupt-model.gguf';

export default defineCase({
  name: 'corrupt-model',
  title: 'a corrupt model file shows a clear error with its next actions',
  prepare: (fx) => writeNotGguf(path.join(fx.scratchDir, fileName)),
  settings: (fx) => ({ 'deepseekLocal.model.path': path.join(fx.scratchDir, fileName) }),
  async run(t) {
    const notification = await t.step('error notification', () => t.wb.waitForNotification(/DeepSeek Local: .*corrupt-model\.gguf/));
    t.log(`notification: ${notification.text}`);
    assert.match(notification.text, /not a GGUF model file/);
    assert.deepEqual(await t.wb.notificationActions(notification), ['Select Model File…', 'Open Settings']);
    await t.step('status bar says no model', () => waitForStatus(t.wb, /^DeepSeek: no model$/, 10_000));
    await t.screenshot('notification');
  },
});
