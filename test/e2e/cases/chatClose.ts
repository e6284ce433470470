// Closing the chat stops its answer (issue 26): while an answer streams, switching to another side
// bar view lets it go on (it still streams when the chat is shown again), so does moving the view,
// and closing (hiding) the chat view stops it, so it does not run on to chat.maxTokens; the answer
// keeps what was written.
// Also the Settings UI (issue 22 item 7): DeepSeek Local's settings in titled groups.
import assert from 'node:assert/strict';
import { defineCase } from '../lib/case.js';
import { extensionId, extensionLog, waitForEngineReady } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

export default defineCase({
  name: 'chat-close',
  title: 'chat: hidden it keeps answering, closed it stops; settings in titled groups',
  timeoutMs: 240_000,
  // Greedy output of the random-weights model runs long: an answer that would outlast the case.
  settings: () => ({ 'deepseekLocal.chat.tools': false, 'deepseekLocal.chat.maxTokens': 32768 }),
  async run(t) {
    await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
    await t.step('engine ready', () => waitForEngineReady(t.wb));

    await t.wb.runCommand('DeepSeek Local: New Chat');
    let chat = await t.wb.webviewFrame('.part.sidebar');
    await t.step('ask a question; the answer streams', async () => {
      const input = chat.locator('[data-testid=chat-input]');
      await input.waitFor({ state: 'visible' });
      await input.click();
      await input.pressSequentially('Write a long story', { delay: 5 });
      await input.press('Enter');
      await chat.locator('.entry.assistant.streaming').waitFor({ state: 'visible', timeout: 60_000 });
    });

    await t.step('another side bar view: the answer goes on', async () => {
      await t.wb.runCommand('View: Show Explorer');
      await t.wb.page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await t.wb.runCommand('DeepSeek Local: Focus on Chat View');
      chat = await t.wb.webviewFrame('.part.sidebar');
      await chat.locator('.entry.assistant.streaming').waitFor({ state: 'visible', timeout: 15_000 });
    });
    await t.screenshot('streaming-after-switching-back');

    const rows = t.wb.page.locator('.quick-input-widget .monaco-list-row');
    /** Clicks the row of the open quick pick whose text matches `pattern` (not Enter: the top row may be another). */
    const pick = async (what: string, pattern: RegExp) => {
      const texts = await waitFor(what, async () => {
        const all = (await rows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
        return all.some((text) => pattern.test(text)) ? all : undefined;
      }, { timeoutMs: 10_000 });
      t.log(`${what}: ${texts.join(' | ')}`);
      await rows.nth(texts.findIndex((text) => pattern.test(text))).click();
    };
    await t.step('move the chat into the Explorer: the answer goes on', async () => {
      // The chat is its container's only view, which VS Code does not let a user hide; in a
      // container with other views it can be hidden (closed).
      await t.wb.page.locator('.part.editor').click();
      await t.wb.page.keyboard.press('F1');
      await t.wb.page.locator('.quick-input-widget input').fill('>View: Move View');
      await pick('the command', /^View: Move View\b/);
      await t.wb.page.locator('.quick-input-widget input').fill('Chat');
      await t.screenshot('move-which-view');
      await pick('the view', /^Chat$/);
      await t.screenshot('move-where');
      await pick('the destination', /^Explorer\b|Explorer$/);
      chat = await t.wb.webviewFrame('.part.sidebar');
      await chat.locator('.entry.assistant.streaming').waitFor({ state: 'visible', timeout: 15_000 });
    });
    await t.screenshot('moved');

    await t.step('close the chat view (Hide): its answer stops', async () => {
      const header = t.wb.page.locator('.part.sidebar .pane-header', { hasText: 'Chat' }).first();
      await header.click({ button: 'right' });
      const items = t.wb.page.locator('.context-view .monaco-menu .action-item .action-label');
      await items.first().waitFor({ state: 'visible', timeout: 10_000 });
      const labels = (await items.allTextContents()).map((label) => label.trim()).filter(Boolean);
      t.log(`the view's context menu: ${labels.join(' | ')}`);
      await t.screenshot('context-menu');
      const hide = labels.find((label) => /^Hide ['‘"]?Chat/.test(label));
      assert.ok(hide, `no Hide entry for the chat view in ${JSON.stringify(labels)}`);
      await items.filter({ hasText: hide }).first().click();
      await t.wb.waitForLog('the stop on close', () => extensionLog(t.wb), /chat: the chat view was closed; its answer was stopped/, 15_000);
      const ended = await t.wb.waitForLog('the answer ends', () => extensionLog(t.wb), /chat: .* (\d+) generated, aborted/, 15_000);
      const generated = Number(/(\d+) generated/.exec(ended)?.[1]);
      t.log(`the answer stopped after ${generated} tokens (chat.maxTokens 32768)`);
      assert.ok(generated < 32768, 'the answer stopped before chat.maxTokens');
    });
    await t.screenshot('closed');

    await t.step('open the chat again: the answer is stopped, with what it wrote', async () => {
      // The view now lives in the Explorer; its focus command shows it again. (VS Code's own chat
      // has a "Focus on Chat View" too: pick ours by its container.)
      await t.wb.page.keyboard.press('F1');
      await t.wb.page.locator('.quick-input-widget input').fill('>Focus on Chat View');
      await pick('the focus command', /^(DeepSeek|Explorer)[^:]*: Focus on Chat View/);
      chat = await t.wb.webviewFrame('.part.sidebar');
      await chat.locator('.entry.assistant .stop-note', { hasText: 'Stopped.' }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await chat.locator('.entry.streaming').count(), 0, 'nothing streams any more');
      const text = await waitFor('the kept answer', async () => ((await chat.locator('.entry.assistant [data-testid=answer]').last().textContent()) ?? '').trim() || undefined, { timeoutMs: 5_000 });
      assert.ok(text.length > 0);
    });
    await t.screenshot('reopened');

    await t.step('the Settings UI shows the groups', async () => {
      await t.wb.runCommand('Preferences: Open Settings (UI)');
      const editor = t.wb.page.locator('.settings-editor');
      await editor.waitFor({ state: 'visible', timeout: 15_000 });
      // The search box has the focus; machine-scoped settings show on the Remote tab of a remote window.
      await t.wb.page.keyboard.type('@ext:deepseek-local.deepseek-local', { delay: 5 });
      // In a remote window machine-scoped settings (model, engine, server, cache) are on the Remote
      // tab, application-scoped ones (refactor actions, privacy opt-ins) on the User tab.
      const headings = editor.locator('.settings-toc-container .monaco-list-row');
      const tabs: [string, string[]][] = [
        ['Remote', ['Model', 'Engine', 'Completion', 'Chat', 'Remote Server', 'Cache']],
        ['User', ['Completion', 'Chat', 'Refactors', 'Privacy']],
      ];
      for (const [tab, titles] of tabs) {
        await editor.locator('.settings-tabs-widget .action-label', { hasText: tab }).first().click();
        for (const title of titles) await headings.filter({ hasText: title }).first().waitFor({ state: 'attached', timeout: 15_000 });
        t.log(`${tab} tab: ${(await headings.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()).join(' | ')}`);
        await t.screenshot(`settings-${tab.toLowerCase()}`);
      }
    });
  },
});
