// Ghost text controls (issue 22, item 1) in a real VS Code: Alt+] shows a sampled alternative
// and Alt+[ the first suggestion again; Alt+End accepts the suggestion's next line into the file; "Snooze Ghost Text…" (a Quick Pick of 5 / 15 / 60 minutes) stops ghost text
// and the status bar says until when; resuming from the status-bar menu brings it back.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { extensionId, ghostText, quickCompletionSettings, setExtensionLogLevel, settledGhostText, waitForEngineReady, waitForStatus } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'ghost-controls',
  title: 'Alt+] / Alt+[ cycle alternatives; Alt+End accepts the next line of ghost text; snooze stops ghost text until the menu resumes it',
  // Several completions on a shared, busy CPU.
  timeoutMs: 420_000,
  settings: () => ({ ...quickCompletionSettings, 'deepseekLocal.completion.maxTokens': 8 }),
  async run(t) {
    const file = path.join(t.fixtures.workspace, 'src', 'math.ts');
    const page = t.wb.page;
    const waitForGhost = (timeoutMs = 150_000) =>
      waitFor('ghost text', async () => {
        const shown = await ghostText(t.wb);
        return shown.trim() ? shown : undefined;
      }, { timeoutMs });
    const quickPickRow = (label: string) => page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();

    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));
    // Each completion request and its kind in the log, to tell what a failed step was shown.
    await t.step('extension log at trace', () => setExtensionLogLevel(t.wb, 'Trace'));
    await t.step('open src/math.ts', () => t.wb.quickOpen('src/math.ts'));

    await t.step('type at the end of the file', async () => {
      await t.wb.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('export const total = ', { delay: 40 });
    });
    const started = Date.now();
    const first = await t.step('ghost text appears', () => waitForGhost());
    const ghostMs = Date.now() - started;
    t.log(`ghost text: ${JSON.stringify(first)} after ${ghostMs} ms`);
    // A preview grows in place into the whole answer: Alt+] is for the suggestion as it ends up, so
    // an alternative is told from the grown answer (after a growth VS Code holds an Invoke answer,
    // where its own Alt+] would not ask again: issue 22).
    const suggestion = await t.step('the suggestion stops growing', () => settledGhostText(t.wb, 1_500, 30_000));
    t.log(`whole suggestion: ${JSON.stringify(suggestion)}`);
    await t.screenshot('ghost-text');

    await t.step('Alt+] shows an alternative, Alt+[ the first suggestion again', async () => {
      await page.keyboard.press('Alt+BracketRight');
      const alternative = await waitFor('another ghost text', async () => {
        const shown = await ghostText(t.wb);
        return shown.trim() && shown !== suggestion ? shown : undefined;
      }, { timeoutMs: 60_000 });
      t.log(`alternative: ${JSON.stringify(alternative)}`);
      await t.screenshot('alternative');
      await page.keyboard.press('Alt+BracketLeft');
      await waitFor('the first ghost text again', async () => ((await ghostText(t.wb)) === suggestion ? true : undefined), { timeoutMs: 15_000 });
    });

    await t.step('Alt+End accepts its first line into the file', async () => {
      const firstLine = suggestion.split('\n')[0]!.trimEnd();
      await page.keyboard.press('Alt+End');
      await page.keyboard.press('Control+S');
      await waitFor('file saved with the accepted line', async () => ((await readFile(file, 'utf8')).includes(`export const total = ${firstLine}`) ? true : undefined), {
        timeoutMs: 15_000,
      });
    });

    await t.step('snooze for 5 minutes from the command palette', async () => {
      await t.wb.runCommand('DeepSeek Local: Snooze Ghost Text…');
      await quickPickRow('5 minutes').waitFor({ state: 'visible' });
      await quickPickRow('15 minutes').waitFor({ state: 'visible' });
      await quickPickRow('5 minutes').click();
    });
    const snoozed = await t.step('the status bar says until when', () => waitForStatus(t.wb, /snoozed until \d\d:\d\d/, 10_000));
    t.log(`status bar: ${snoozed}`);

    await t.step('while snoozed, typing brings no ghost text', async () => {
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('export const other = ', { delay: 40 });
      // A bounded look for something that must not appear: three times what the first ghost took.
      const deadline = Date.now() + Math.max(5_000, 3 * ghostMs);
      while (Date.now() < deadline) {
        assert.equal((await ghostText(t.wb)).trim(), '', 'no ghost text while snoozed');
        await page.waitForTimeout(250);
      }
    });
    await t.screenshot('snoozed');

    await t.step('the status-bar menu offers to resume; choosing it clears the note', async () => {
      await t.wb.statusBarItem(extensionId, 'deepseekLocal.status').click();
      await quickPickRow('Resume Ghost Text').waitFor({ state: 'visible' });
      await t.screenshot('menu-resume');
      await quickPickRow('Resume Ghost Text').click();
      await waitFor('snooze note gone', async () => ((await t.wb.statusBarText(extensionId, 'deepseekLocal.status'))?.includes('snoozed') ? undefined : true), {
        timeoutMs: 10_000,
      });
    });

    await t.step('ghost text comes back after typing', async () => {
      await t.wb.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' ', { delay: 40 });
      await waitForGhost();
    });
    await t.screenshot('resumed');
  },
});
