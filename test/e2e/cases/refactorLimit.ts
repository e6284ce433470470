// A refactor answer that reaches its length limit is refused, never applied cut (issue 19, item 4),
// as a user meets it with the local engine: the random-weights model never ends a string on its
// own, so with temperature 0 its code always runs to the action's 80-character limit. The user
// sees why nothing happened, and the file and the editor are untouched.
import { defineCase } from '../lib/case.js';
import { assertSampleUnchanged, runTidyUpOnSample, tidyUp, writeSample } from './refactor.js';

export default defineCase({
  name: 'refactor-limit',
  title: 'refactor: an answer that reaches its limit is refused with the reason, and nothing changes',
  // One schema-constrained answer on a shared, busy CPU, after the engine load.
  timeoutMs: 300_000,
  settings: () => ({ 'deepseekLocal.refactor.customActions': [tidyUp(80)] }),
  prepare: writeSample,
  async run(t) {
    await runTidyUpOnSample(t);
    await t.step('the refusal says the limit was reached and nothing was applied', () =>
      t.wb.waitForNotification(/reached the limit of 80 characters.*nothing was applied/, 240_000),
    );
    await t.screenshot('refused');
    await assertSampleUnchanged(t, 'after the refusal');
    const preview = t.wb.page.locator('.bulk-edit-panel .monaco-list-row');
    if ((await preview.count()) > 0) throw new Error('a refactor preview opened for a refused answer');
  },
});
