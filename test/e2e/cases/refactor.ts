// Refactor actions (issue 7) in a real VS Code: select code, run a user-defined action (from
// settings) through "Run Refactor Action…" in the command palette, see VS Code's refactor preview
// (nothing changes before Apply), apply it, and one Ctrl+Z brings the file back byte for byte — a
// CRLF file with tabs and multi-byte characters. The action's small bound keeps the random model's
// answer short on a busy CPU.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCase } from '../lib/case.js';
import { extensionId, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const fileName = 'refactorSample.ts';
const original = [
  '// Größe und Preis — 価格 😀',
  'export function total(items) {',
  '\tlet sum = 0;',
  '\tfor (const item of items) sum += item.price * item.count;',
  '\treturn sum;',
  '}',
  '',
].join('\r\n');

export default defineCase({
  name: 'refactor',
  title: 'refactor from the palette: preview first, apply, one Ctrl+Z restores the file byte for byte',
  // One schema-constrained answer of a few hundred tokens on a shared, busy CPU, after the engine load.
  timeoutMs: 600_000,
  settings: () => ({
    'deepseekLocal.refactor.customActions': [
      { name: 'Tidy Up', instruction: 'Tidy the selected code without changing its behaviour.', answerShape: 'replaceSelection', maxTextLength: 80 },
    ],
  }),
  async prepare(fx) {
    await writeFile(path.join(fx.workspace, 'src', fileName), original);
  },
  async run(t) {
    const file = path.join(t.fixtures.workspace, 'src', fileName);
    const page = t.wb.page;
    const activeTab = page.locator('.tabs-container .tab.active', { hasText: fileName });
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));
    await t.step(`open src/${fileName}`, () => t.wb.quickOpen(`src/${fileName}`));

    await t.step('select the function body', async () => {
      await t.wb.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowDown');
    });

    await t.step('run the user action "Tidy Up" from the command palette', async () => {
      await t.wb.runCommand('DeepSeek Local: Run Refactor Action…');
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Add Documentation Comments' }).first().waitFor({ state: 'visible' });
      await input.fill('Tidy Up');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Tidy Up' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
    });
    await t.step('a progress notification with Cancel shows while the model answers', () =>
      t.wb.waitForNotification(/DeepSeek Local: Tidy Up/, 30_000),
    );

    const preview = page.locator('.bulk-edit-panel');
    await t.step('the refactor preview shows the change before anything is applied', async () => {
      await waitFor('refactor preview with the file', async () => ((await preview.locator('.monaco-list-row', { hasText: fileName }).count()) > 0 ? true : undefined), {
        timeoutMs: 480_000,
      });
      assert.equal(await readFile(file, 'utf8'), original, 'the file is unchanged while the preview is open');
      assert.equal(await activeTab.evaluate((tab) => tab.classList.contains('dirty')), false, 'the editor is unchanged while the preview is open');
    });
    await t.screenshot('preview');
    const rows = await preview.locator('.monaco-list-row').allInnerTexts();
    t.log(`preview rows: ${JSON.stringify(rows)}`);

    let applied = '';
    await t.step('tick the change and Apply, and the saved file has the change', async () => {
      // VS Code lists edits marked needsConfirmation unticked: the user opts in to each one.
      await preview.locator('.monaco-list-row', { hasText: fileName }).first().locator('.edit-checkbox').click();
      await preview.locator('.monaco-button', { hasText: /^Apply$/ }).click();
      await waitFor('the editor holds the applied edit', async () => ((await activeTab.evaluate((tab) => tab.classList.contains('dirty'))) ? true : undefined), {
        timeoutMs: 20_000,
      });
      await t.wb.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+S');
      applied = await waitFor('file saved with the edit', async () => {
        const text = await readFile(file, 'utf8');
        return text !== original ? text : undefined;
      }, { timeoutMs: 15_000 });
    });
    await t.screenshot('applied');
    assert.ok(applied.startsWith('// Größe und Preis — 価格 😀\r\nexport function total(items) {\r\n'), 'lines before the selection are untouched');
    assert.ok(applied.endsWith('}\r\n'), 'the line after the selection is untouched');
    assert.ok(!/[^\r]\n/.test(applied), 'the edit kept the file\'s CRLF line ends');

    await t.step('one Ctrl+Z restores the file byte for byte', async () => {
      await t.wb.activeEditor().locator('.view-lines').click();
      await page.keyboard.press('Control+Z');
      await page.keyboard.press('Control+S');
      await waitFor('file saved after undo', async () => ((await readFile(file)).equals(Buffer.from(original, 'utf8')) ? true : undefined), { timeoutMs: 15_000 });
    });
    await t.screenshot('undone');
  },
});
