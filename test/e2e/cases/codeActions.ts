// Code actions (issue 22, item 5) in a real VS Code: Ctrl+. on a selection lists the DeepSeek
// refactors; on a TypeScript error it offers "Fix with DeepSeek", whose answer (schema-checked, from
// a server on 127.0.0.1: the random-weights model never closes a string, see refactor.ts) shows in
// the refactor preview, is applied with Apply, and one Ctrl+Z takes it back.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chatChunk, startFakeServer, startSse, type FakeServer } from '../../backends/fakeServer.js';
import { defineCase, type CaseContext } from '../lib/case.js';
import { extensionId, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const fileName = 'fixMe.ts';
const original = 'export function half(value: number): number {\n  const result: number = "a" + value;\n  return result / 2;\n}\n';
const fixedLine = '  const result: number = value;';
let server: FakeServer | undefined;

export default defineCase({
  name: 'code-actions',
  title: 'Ctrl+. lists the DeepSeek refactors for a selection and "Fix with DeepSeek" on an error; the fix shows in the refactor preview',
  timeoutMs: 240_000,
  async prepare(fx) {
    await writeFile(path.join(fx.workspace, 'src', fileName), original);
    server = await startFakeServer({
      'GET /v1/models': (_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'fix-test', object: 'model' }] }));
      },
      'POST /v1/chat/completions': (_request, res) => {
        startSse(res);
        const answer = JSON.stringify({ rationale: 'Use the number itself.', code: fixedLine });
        res.write(`data: ${JSON.stringify(chatChunk(answer))}\n\ndata: ${JSON.stringify(chatChunk(null, 'stop'))}\n\ndata: [DONE]\n\n`);
        res.end();
      },
    });
  },
  settings: () => ({
    'deepseekLocal.backend.refactor': 'remote',
    'deepseekLocal.remote.baseUrl': server!.url,
    'deepseekLocal.remote.flavor': 'openai',
    'deepseekLocal.remote.model': 'fix-test',
  }),
  async run(t) {
    try {
      await fixWithDeepSeek(t);
      const asked = server!.requests.find((request) => request.path === '/v1/chat/completions');
      assert.ok(asked, 'the fix was asked of the server');
      assert.match(JSON.stringify(asked.body), /is not assignable to type/, 'the prompt quotes the reported problem');
    } finally {
      await server?.close();
    }
  },
});

async function fixWithDeepSeek(t: CaseContext): Promise<void> {
  const page = t.wb.page;
  const actionRow = (label: string | RegExp) => page.locator('.action-widget .monaco-list-row', { hasText: label }).first();
  // Ctrl+. lists what the providers had when it was pressed (TypeScript's may still be starting):
  // pressed again, as a user would (Escape also drops the selection: `place` sets it again), until
  // the menu lists `label`.
  const codeActionMenuWith = (label: string | RegExp, place: () => Promise<void>) =>
    waitFor(`code action menu listing ${label}`, async () => {
      await place();
      await page.keyboard.press('Control+.');
      if (await actionRow(label).waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) return actionRow(label);
      await page.keyboard.press('Escape');
      return undefined;
    }, { timeoutMs: 60_000 });
  await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
  await t.step('engine ready', () => waitForEngineReady(t.wb));
  await t.step(`open src/${fileName}`, () => t.wb.quickOpen(`src/${fileName}`));

  await t.step('TypeScript reports the error', () =>
    t.wb.activeEditor().locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 }),
  );
  await t.step('Ctrl+. on a selection lists the DeepSeek refactors', async () => {
    await t.wb.activeEditor().locator('.view-lines').click();
    await codeActionMenuWith('DeepSeek: Add Documentation Comments', async () => {
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
    });
    await actionRow('DeepSeek: Run Refactor Action').waitFor({ state: 'visible' });
  });
  await t.screenshot('refactor-actions');
  await page.keyboard.press('Escape');

  await t.step('Ctrl+. on the error offers "Fix with DeepSeek", and choosing it opens the refactor preview', async () => {
    const fix = await codeActionMenuWith(/Fix with DeepSeek: Type 'string' is not assignable/, async () => {
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowLeft');
    });
    await t.screenshot('fix-offered');
    await fix.click();
    await page.locator('.bulk-edit-panel .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await readFile(path.join(t.fixtures.workspace, 'src', fileName), 'utf8'), original, 'nothing changes before Apply');
  });
  await t.screenshot('fix-preview');

  const editorText = async () => (await t.wb.activeEditor().locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
  await t.step('Apply puts the fix in the file; one Ctrl+Z takes it back', async () => {
    const preview = page.locator('.bulk-edit-panel');
    await preview.locator('.monaco-list-row', { hasText: fileName }).first().locator('.edit-checkbox').click();
    await preview.locator('.monaco-button', { hasText: /^Apply$/ }).click();
    await waitFor('the fixed line in the editor', async () => ((await editorText()).includes(fixedLine.trim()) ? true : undefined), { timeoutMs: 20_000 });
    await t.screenshot('fixed');
    await t.wb.activeEditor().locator('.view-lines').click();
    await page.keyboard.press('Control+Z');
    await waitFor('the original line back', async () => ((await editorText()).includes('"a" + value') ? true : undefined), { timeoutMs: 10_000 });
  });
}
