// Chat context providers (issue 22, item 4) as a user meets them: a file with a TypeScript error,
// the chat's `@` menu → `@problems` → a chip with its token estimate; removed with ×, added again by
// typing `@`, and sent: the request to the chat's server (on 127.0.0.1) quotes the problem and the
// line it is on. And `/` in the composer lists the refactor actions.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeServer, type FakeServer } from '../../backends/fakeServer.js';
import { chatRoute, endsWithAssistant, modelList } from '../../fixtures/fakeServers/openAiRoutes.js';
import { chatPieces } from '../../fixtures/fakeServers/scriptedModel.js';
import { defineCase, type CaseContext } from '../lib/case.js';
import { extensionId, remoteChatSettings } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const model = 'context-test';
const fileName = 'broken.ts';
const brokenLine = '  const total: number = "zero" + count;';
const source = ['export function double(count: number): number {', brokenLine, '  return total * 2;', '}', ''].join('\n');
let server: FakeServer | undefined;

export default defineCase({
  name: 'chat-context',
  title: 'chat context: @problems shows as a chip with its tokens, is removed and added again, and its problem reaches the prompt; / lists the refactor actions',
  timeoutMs: 180_000,
  async prepare(fx) {
    await writeFile(path.join(fx.workspace, 'src', fileName), source);
    server = await startFakeServer({
      'GET /v1/models': modelList([model], 'test'),
      'POST /v1/chat/completions': chatRoute({ model, continues: endsWithAssistant }),
    });
  },
  settings: () => ({
    ...remoteChatSettings(server!.url, model),
    'deepseekLocal.chat.tools': false,
    'deepseekLocal.completion.enabled': false,
  }),
  async run(t) {
    try {
      await problemsInChat(t);
    } finally {
      await server?.close();
    }
  },
});

async function problemsInChat(t: CaseContext): Promise<void> {
  await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
  await t.step(`open src/${fileName}`, () => t.wb.quickOpen(`src/${fileName}`));
  await t.step('TypeScript reports the error', () => t.wb.activeEditor().locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 }));
  await t.wb.runCommand('DeepSeek Local: New Chat');
  const chat = await t.wb.webviewFrame('.part.sidebar');
  const input = chat.locator('[data-testid=chat-input]');
  await input.waitFor({ state: 'visible' });
  const chip = chat.locator('[data-testid=attachment-chip][data-kind=problems]');

  await t.step('the @ menu offers a file, @problems, @changes, @folder, @symbol and @terminal; @problems adds a chip with its token estimate', async () => {
    await chat.locator('[data-testid=mention]').click();
    for (const provider of ['file', 'problems', 'changes', 'folder', 'symbol', 'terminal']) {
      await chat.locator(`[data-testid=mention-${provider}]`).waitFor({ state: 'visible', timeout: 5_000 });
    }
    await t.screenshot('mention-menu');
    await chat.locator('[data-testid=mention-problems]').click();
    await chip.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await chip.textContent()) ?? '';
    assert.match(text, /Problems \(1\) in src\/broken\.ts/);
    assert.match(text, /[^\d][1-9]\d* tok/, `the chip says its tokens: ${text}`);
  });
  await t.screenshot('problems-chip');

  await t.step('× removes the chip', async () => {
    await chip.locator('.chip-remove').click();
    await chip.waitFor({ state: 'detached', timeout: 10_000 });
  });
  await t.step('typing @ opens the menu again; @problems adds the chip again', async () => {
    await input.click();
    await input.pressSequentially('@', { delay: 5 });
    await chat.locator('[data-testid=mention-problems]').click();
    await chip.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), '', 'the typed @ is not left in the question');
  });
  await t.step('send a question with the chip', async () => {
    await input.click();
    await input.pressSequentially('Why does this fail?', { delay: 5 });
    await input.press('Enter');
    const answer = chat.locator('.entry.assistant [data-testid=answer]').last();
    await waitFor('the answer', async () => (((await answer.textContent({ timeout: 1000 })) ?? '').includes(chatPieces.join('')) ? true : undefined), { timeoutMs: 60_000 });
    await chat.locator('.entry.user .chip', { hasText: 'Problems (1)' }).waitFor({ state: 'visible', timeout: 5_000 });
  });
  await t.screenshot('sent');
  await t.step('the prompt quotes the problem and its line', async () => {
    const asked = server!.requests.filter((request) => request.path === '/v1/chat/completions').at(-1);
    assert.ok(asked, 'the chat asked the server');
    const prompt = JSON.stringify(asked.body);
    assert.match(prompt, /is not assignable to type 'number'/);
    assert.ok(prompt.includes(JSON.stringify(`> 2 | ${brokenLine}`).slice(1, -1)), 'the problem line, marked, is in the prompt');
    assert.ok(prompt.includes('Why does this fail?'));
  });

  await t.step('/ lists the refactor actions; typing narrows the list', async () => {
    await input.click();
    await input.pressSequentially('/', { delay: 5 });
    const menu = chat.locator('[data-testid=slash-menu]');
    await menu.waitFor({ state: 'visible', timeout: 5_000 });
    for (const id of ['withInstruction', 'addDocumentation', 'suggestNames', 'extractFunction', 'simplify']) {
      assert.ok(await chat.locator(`[data-testid="slash-${id}"]`).isVisible(), `/ lists ${id}`);
    }
  });
  await t.screenshot('slash-menu');
  await t.step('typing /simp leaves Simplify / Modernize only', async () => {
    await input.pressSequentially('simp', { delay: 5 });
    await waitFor('a narrowed list', async () => ((await chat.locator('[data-testid=slash-menu] .mention-item').count()) === 1 ? true : undefined), { timeoutMs: 5_000 });
    assert.match((await chat.locator('[data-testid=slash-menu]').textContent()) ?? '', /Simplify \/ Modernize/);
  });
}


