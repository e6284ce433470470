// Chat that changes code (issue 23), as a user meets it: the model proposes a change to two files in
// one answer; VS Code's refactor preview shows both before anything changes; the user ticks both
// files, unticks one change and applies; the chat says what was applied and skipped (and the model's
// next step reads the same); the model then asks to run a command, the user confirms it in a dialog,
// its output goes back to the model; the files hold exactly the ticked changes; one Ctrl+Z restores
// both byte for byte — a CRLF file with multi-byte characters among them.
//
// The proposal comes from a server on 127.0.0.1 (the remote chat backend) that answers with one
// scripted propose_edits call: random weights cannot be asked for a particular change. The local
// engine's proposals are generated under the same schema in test/engine/agentEdits.test.ts.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sendEvent, sendJson, startSse, type FakeServer, startFakeServer } from '../../backends/fakeServer.js';
import { openAiChatChunks, type ModelTurn, type WireMessage } from '../../fixtures/fakeServers/scriptedModel.js';
import { defineCase } from '../lib/case.js';
import { extensionId, openNewChat, remoteChatSettings, sendChatMessage } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const model = 'agent-test';
const files = {
  'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'src/prices.js': 'const größe = 1;\r\nconst preis = 2;\r\nconst 価格 = 3;\r\n',
};
const proposal = {
  summary: 'Comment add and raise two constants.',
  changes: [
    { kind: 'edit', path: 'src/add.js', edits: [{ anchor: 'return a + b;', replacement: 'return a + b; // sum' }] },
    {
      kind: 'edit',
      path: 'src/prices.js',
      edits: [
        { anchor: 'größe = 1', replacement: 'größe = 10' },
        { anchor: '価格 = 3', replacement: '価格 = 30' },
      ],
    },
  ],
};
const finalAnswer = 'I changed what you applied.';
let server: FakeServer | undefined;
/** The tool results the model's later steps received: the change set's report, the command's output. */
let toolResultSeen: string | undefined;
let commandResultSeen: string | undefined;
const checkCommand = `node -e "console.log('checked', 6 * 7)"`;

export default defineCase({
  name: 'agent-edits',
  title: 'chat proposes a two-file change: refactor preview, one change unticked, applied, reported back; a confirmed command; one undo restores both files',
  timeoutMs: 240_000,
  async prepare(fx) {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(fx.workspace, name), text);
    server = await startFakeServer({
      'GET /v1/models': (_request, res) => sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model' }] }),
      'POST /v1/chat/completions': async (request, res) => {
        const messages = ((request.body ?? {}) as { messages?: WireMessage[] }).messages ?? [];
        const results = messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
        [toolResultSeen, commandResultSeen] = results;
        // Propose the change; once it is reviewed, check it with a command; then answer.
        const turn: ModelTurn =
          results.length === 0
            ? { kind: 'toolCall', name: 'propose_edits', arguments: JSON.stringify(proposal) }
            : results.length === 1
              ? { kind: 'toolCall', name: 'run_command', arguments: JSON.stringify({ command: checkCommand }) }
              : { kind: 'text', pieces: [finalAnswer] };
        startSse(res);
        for (const chunk of openAiChatChunks(turn, model)) sendEvent(res, chunk);
        res.write('data: [DONE]\n\n');
        res.end();
      },
    });
  },
  settings: () => ({
    ...remoteChatSettings(server!.url, model),
    'deepseekLocal.chat.tools': true,
    'deepseekLocal.chat.editTools': true,
  }),
  async run(t) {
    const page = t.wb.page;
    const onDisk = async () => Object.fromEntries(await Promise.all(Object.keys(files).map(async (name) => [name, await readFile(path.join(t.fixtures.workspace, name), 'utf8')])));
    try {
      await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
      const { chat, input } = await openNewChat(t.wb);
      await t.step('ask for a change', () => sendChatMessage(input, 'comment add and raise the constants'));

      const preview = page.locator('.bulk-edit-panel');
      const row = (text: string) => preview.locator('.monaco-list-row', { hasText: text }).first();
      await t.step('the refactor preview shows both files before anything changes', async () => {
        await waitFor('both files in the preview', async () => ((await row('add.js').count()) && (await row('prices.js').count()) ? true : undefined), { timeoutMs: 60_000 });
        assert.deepEqual(await onDisk(), files, 'nothing is written while the preview is open');
        assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'no editor holds a change');
      });
      await t.screenshot('preview');
      t.log(`preview rows: ${JSON.stringify(await preview.locator('.monaco-list-row').allInnerTexts())}`);
      await t.step('the chat names the change set it is waiting on', () =>
        chat.locator('[data-testid=tool-call]', { hasText: 'Comment add and raise two constants.' }).waitFor({ state: 'visible', timeout: 10_000 }),
      );

      await t.step('tick both files, untick the 価格 change, Apply', async () => {
        // Entries that need confirmation start unticked: the user opts in to each file.
        await row('add.js').locator('.edit-checkbox').click();
        await row('prices.js').locator('.edit-checkbox').click();
        await row('価格').locator('.edit-checkbox').click();
        await t.screenshot('ticked');
        await preview.locator('.monaco-button', { hasText: /^Apply$/ }).click();
      });

      const result = chat.locator('[data-testid=tool-result][data-tool=propose_edits]');
      await t.step('the chat reports what was applied and skipped', async () => {
        await result.waitFor({ state: 'visible', timeout: 30_000 });
        const text = (await result.textContent()) ?? '';
        t.log(`result: ${text}`);
        assert.match(text, /edit src\/add\.js: applied \(1 of 1 edit\)/);
        assert.match(text, /edit src\/prices\.js: partly applied \(1 of 2 edits\)/);
      });
      await t.step("the model's next step read the same report", () =>
        waitFor('the report in the next request', async () => (/partly applied \(1 of 2 edits\)/.test(toolResultSeen ?? '') ? true : undefined), { timeoutMs: 10_000 }),
      );
      await t.screenshot('reported');

      await t.step('the model asks to run a command: the user confirms it in a dialog', async () => {
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
        const text = (await dialog.textContent()) ?? '';
        t.log(`command dialog: ${text}`);
        assert.ok(text.includes(checkCommand), 'the dialog shows the exact command');
        await t.screenshot('command-confirm');
        await dialog.locator('.monaco-button', { hasText: /^Run$/ }).click();
      });
      await t.step('its output goes back to the model and the chat, and the model answers', async () => {
        const commandResult = chat.locator('[data-testid=tool-result][data-tool=run_command]');
        await commandResult.waitFor({ state: 'visible', timeout: 30_000 });
        assert.match((await commandResult.textContent()) ?? '', /exited with code 0\.\s*checked 42/);
        await chat.locator('.entry.assistant [data-testid=answer]', { hasText: finalAnswer }).waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(commandResultSeen ?? '', /exited with code 0\.\s*checked 42/);
      });
      // The terminal of its own shows the command, its output and exit code (xterm draws on a canvas: seen in the screenshot).
      await t.screenshot('command-ran');

      const expected = {
        'src/add.js': files['src/add.js'].replace('return a + b;', 'return a + b; // sum'),
        'src/prices.js': files['src/prices.js'].replace('größe = 1', 'größe = 10'),
      };
      await t.step('saved, the files hold exactly the ticked changes', async () => {
        await t.wb.runCommand('File: Save All Files');
        await waitFor('both files saved', async () => (JSON.stringify(await onDisk()) === JSON.stringify(expected) ? true : undefined), { timeoutMs: 15_000 });
      });

      await t.step('one Ctrl+Z undoes the change in both files', async () => {
        const editor = await t.wb.quickOpen('src/add.js');
        await editor.locator('.view-lines').click();
        await page.keyboard.press('Control+Z');
        // Some VS Code versions ask whether to undo the multi-file edit everywhere (the user says
        // yes); 1.139 undoes it in both files at once.
        const dialog = page.locator('.monaco-dialog-box');
        if (await dialog.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) {
          t.log(`undo dialog: ${await dialog.textContent()}`);
          await dialog.locator('.monaco-button', { hasText: /Undo in 2 Files/ }).click();
        }
        await waitFor('both editors show the text before the change', async () => {
          const dirty = await page.locator('.tabs-container .tab.dirty').count();
          return dirty === 2 ? true : undefined;
        }, { timeoutMs: 10_000 });
        await t.wb.runCommand('File: Save All Files');
        await waitFor('both files back, byte for byte', async () => {
          const now = await Promise.all(Object.entries(files).map(async ([name, text]) => (await readFile(path.join(t.fixtures.workspace, name))).equals(Buffer.from(text, 'utf8'))));
          return now.every(Boolean) ? true : undefined;
        }, { timeoutMs: 15_000 });
      });
      await t.screenshot('undone');
    } finally {
      await server?.close();
    }
  },
});
