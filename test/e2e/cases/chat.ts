// The chat sidebar as a user meets it: ask a question, watch tokens stream, press Stop, reload the
// window and find the conversation in history; rewrite the answer's start with a code block and
// continue from it (prefix continuation); "Insert" puts that code into the editor.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { defineCase } from '../lib/case.js';
import { extensionId, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const question = 'Explain what the mean function in math.ts does';
const insertedCode = 'const insertedByChat = 42;';

async function openChat(t: Parameters<Parameters<typeof defineCase>[0]['run']>[0]): Promise<Frame> {
  await t.wb.runCommand('DeepSeek Local: New Chat');
  return t.wb.webviewFrame('.part.sidebar');
}

export default defineCase({
  name: 'chat',
  title: 'chat: streams, stops, survives a reload in history, continues from an edited prefix, inserts code',
  timeoutMs: 240_000,
  // Greedy output of the random-weights model runs long: room to see it stream and stop it.
  settings: () => ({ 'deepseekLocal.chat.tools': false, 'deepseekLocal.chat.maxTokens': 4000 }),
  async run(t) {
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));
    await t.step('open a file to insert into', () => t.wb.quickOpen('src/main.ts'));

    let chat = await t.step('chat view opens', () => openChat(t));
    const input = chat.locator('[data-testid=chat-input]');
    await input.waitFor({ state: 'visible' });
    await t.step('type a question and press Enter', async () => {
      await input.click();
      await input.pressSequentially(question, { delay: 5 });
      await input.press('Enter');
    });

    const answer = chat.locator('.entry.assistant.streaming [data-testid=answer]');
    await t.step('tokens stream into the answer', async () => {
      const first = await waitFor('the first tokens', async () => ((await answer.textContent({ timeout: 1000 })) ?? '').length || undefined, { timeoutMs: 60_000 });
      const later = await waitFor('more tokens', async () => {
        const length = ((await answer.textContent({ timeout: 1000 })) ?? '').length;
        return length > first ? length : undefined;
      }, { timeoutMs: 30_000 });
      t.log(`streamed ${first} → ${later} characters`);
    });
    await t.screenshot('streaming');

    await t.step('Stop ends the answer', async () => {
      await chat.locator('[data-testid=stop]').click();
      await chat.locator('.entry.streaming').waitFor({ state: 'detached', timeout: 15_000 });
      await chat.locator('.entry.assistant .stop-note', { hasText: 'Stopped.' }).waitFor({ state: 'visible', timeout: 5_000 });
      await chat.locator('[data-testid=continue]').waitFor({ state: 'visible', timeout: 5_000 });
      assert.ok(await chat.locator('[data-testid=send]').isVisible(), 'Send is back after Stop');
    });
    const title = (await chat.locator('[data-testid=chat-title]').textContent())?.trim() ?? '';
    assert.equal(title, question);
    await t.screenshot('stopped');

    await t.step('reload the window', async () => {
      // The sidebar comes back on the chat view (its state restored), so wait for the workbench
      // and the status bar rather than the explorer.
      await t.wb.reload();
      // Focus the editor area, not the restored webview, so F1 reaches the workbench. Whether
      // the workbench reopens src/main.ts depends on whether it saved its state before the
      // reload (once in CI it had not): the group is there either way, and the file is opened
      // again below.
      await t.wb.page.locator('.part.editor .editor-group-container.active').click({ timeout: 60_000 });
    });
    await t.step('extension activates again', () => t.wb.waitForActivation(extensionId));
    chat = await t.step('chat view after reload (a new chat)', () => openChat(t));
    await t.step('the conversation is in history and opens', async () => {
      await chat.locator('[data-testid=history-toggle]').click();
      const item = chat.locator('[data-testid=history-item]', { hasText: question });
      await item.waitFor({ state: 'visible', timeout: 15_000 });
      await item.click();
      await chat.locator('.entry.user .user-text', { hasText: question }).waitFor({ state: 'visible', timeout: 10_000 });
      await chat.locator('.entry.assistant [data-testid=answer]').first().waitFor({ state: 'visible' });
    });
    await t.screenshot('history');

    await t.step('engine ready after reload', () => waitForEngineReady(t.wb));
    await t.step('open the file again', () => t.wb.quickOpen('src/main.ts'));
    chat = await t.wb.webviewFrame('.part.sidebar');
    await t.step('edit the answer start and continue from it', async () => {
      await chat.locator('button', { hasText: 'Edit start' }).click();
      const editor = chat.locator('textarea.prefix-editor');
      await editor.fill(`Here it is:\n\n\`\`\`ts\n${insertedCode}\n\`\`\`\n\nAnd then`);
      await chat.locator('button', { hasText: 'Continue from here' }).click();
      await chat.locator('.entry.assistant.streaming').waitFor({ state: 'visible', timeout: 30_000 });
      await chat.locator('[data-testid=stop]').click();
      await chat.locator('.entry.streaming').waitFor({ state: 'detached', timeout: 15_000 });
      const text = (await chat.locator('.entry.assistant [data-testid=answer]').last().textContent()) ?? '';
      assert.ok(text.startsWith('Here it is:'), `the answer starts with the edited prefix: ${text.slice(0, 80)}`);
    });

    await t.step('Insert puts the code at the cursor', async () => {
      await chat.locator('.entry.assistant').last().locator('[data-testid=code-insert]').first().click();
      await waitFor('the inserted code in the editor', async () => ((await t.wb.activeEditor().locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ').includes(insertedCode), { timeoutMs: 10_000 });
    });
    await t.screenshot('inserted');
  },
});
