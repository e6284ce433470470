// Refactor actions (issue 7) in a real VS Code: select code, run a user-defined action (from
// settings) through "Run Refactor Action…" in the command palette, see VS Code's refactor preview
// (nothing changes before Apply), apply it, and one Ctrl+Z brings the file back byte for byte — a
// CRLF file with tabs and multi-byte characters.
//
// The answer comes from a server on 127.0.0.1 (the remote backend) that gives one valid answer: the
// random-weights model never ends a string on its own, so its answers always reach the schema's
// length limit, and such an answer is refused, never applied cut (issue 19; refactorLimit.ts shows
// that refusal with the local engine). The local engine's schema-constrained answers are tested in
// test/engine/refactor.test.ts.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chatChunk, startFakeServer, startSse, type FakeServer } from '../../backends/fakeServer.js';
import { defineCase, type CaseContext, type E2eFixtures } from '../lib/case.js';
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

/** The user's own action, as settings declare it; `maxTextLength` bounds the answer's code. */
export const tidyUp = (maxTextLength: number) => ({
  name: 'Tidy Up',
  instruction: 'Tidy the selected code without changing its behaviour.',
  answerShape: 'replaceSelection',
  maxTextLength,
});

export async function writeSample(fx: E2eFixtures): Promise<void> {
  await writeFile(path.join(fx.workspace, 'src', fileName), original);
}

/** Opens the sample, selects the function's three body lines and runs "Tidy Up" from the palette. */
export async function runTidyUpOnSample(t: CaseContext): Promise<void> {
  const page = t.wb.page;
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
  await t.step('a progress notification shows while the model answers', () => t.wb.waitForNotification(/DeepSeek Local: Tidy Up/, 30_000));
}

/** The sample file as the user sees it: its bytes on disk and whether its tab has unsaved edits. */
export async function assertSampleUnchanged(t: CaseContext, when: string): Promise<void> {
  const activeTab = t.wb.page.locator('.tabs-container .tab.active', { hasText: fileName });
  assert.equal(await readFile(path.join(t.fixtures.workspace, 'src', fileName), 'utf8'), original, `the file is unchanged ${when}`);
  assert.equal(await activeTab.evaluate((tab) => tab.classList.contains('dirty')), false, `the editor is unchanged ${when}`);
}

/** The answer the server gives: a valid replaceSelection answer, streamed after a pause. */
const tidiedBody = '\tlet sum = 0;\n\tfor (const item of items) {\n\t\tsum += item.price * item.count;\n\t}\n\treturn sum;';
let server: FakeServer | undefined;

export default defineCase({
  name: 'refactor',
  title: 'refactor from the palette: preview first, apply, one Ctrl+Z restores the file byte for byte',
  timeoutMs: 240_000,
  async prepare(fx) {
    await writeSample(fx);
    server = await startFakeServer({
      'GET /v1/models': (_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'refactor-test', object: 'model' }] }));
      },
      'POST /v1/chat/completions': async (_request, res) => {
        startSse(res);
        // Long enough for the progress notification to be seen, as a real model would take.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const answer = JSON.stringify({ rationale: 'Braces around the loop body.', code: tidiedBody });
        for (const part of [answer.slice(0, 20), answer.slice(20)]) res.write(`data: ${JSON.stringify(chatChunk(part))}\n\n`);
        res.write(`data: ${JSON.stringify(chatChunk(null, 'stop'))}\n\ndata: [DONE]\n\n`);
        res.end();
      },
    });
  },
  settings: () => ({
    'deepseekLocal.refactor.customActions': [tidyUp(400)],
    'deepseekLocal.backend.refactor': 'remote',
    'deepseekLocal.remote.baseUrl': server!.url,
    'deepseekLocal.remote.flavor': 'openai',
    'deepseekLocal.remote.model': 'refactor-test',
  }),
  async run(t) {
    try {
      await refactorPreviewApplyUndo(t);
      assert.ok(server!.requests.some((request) => request.path === '/v1/chat/completions'), 'the answer came from the server');
    } finally {
      await server?.close();
    }
  },
});

async function refactorPreviewApplyUndo(t: CaseContext): Promise<void> {
  const file = path.join(t.fixtures.workspace, 'src', fileName);
  const page = t.wb.page;
  const activeTab = page.locator('.tabs-container .tab.active', { hasText: fileName });
  await runTidyUpOnSample(t);

  const preview = page.locator('.bulk-edit-panel');
  await t.step('the refactor preview shows the change before anything is applied', async () => {
    await waitFor('refactor preview with the file', async () => ((await preview.locator('.monaco-list-row', { hasText: fileName }).count()) > 0 ? true : undefined), {
      timeoutMs: 60_000,
    });
    await assertSampleUnchanged(t, 'while the preview is open');
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
  assert.ok(applied.includes('\t\tsum += item.price * item.count;\r\n\t}\r\n'), 'the file holds the answer\'s code');

  await t.step('one Ctrl+Z restores the file byte for byte', async () => {
    await t.wb.activeEditor().locator('.view-lines').click();
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+S');
    await waitFor('file saved after undo', async () => ((await readFile(file)).equals(Buffer.from(original, 'utf8')) ? true : undefined), { timeoutMs: 15_000 });
  });
  await t.screenshot('undone');
}
