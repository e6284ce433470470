// Chat against a remote server whose model reasons (DeepSeek's reasoner; vLLM or SGLang with a
// reasoning parser send the same `reasoning_content`), as a user meets it (issue 20, goal 2): the
// thinking streams into a collapsed "Reasoning" part above the answer, the answer's metrics show the
// server's context-cache figures, and Test Remote Server Connection lists, per feature, what the
// server does and what the extension does instead (goal 3).
import assert from 'node:assert/strict';
import { startFakeServer, type FakeServer } from '../../backends/fakeServer.js';
import { chatRoute, endsWithAssistant, modelList, usageOf } from '../../fixtures/fakeServers/openAiRoutes.js';
import { chatPieces, reasoningPieces } from '../../fixtures/fakeServers/scriptedModel.js';
import { defineCase } from '../lib/case.js';
import { extensionId, openNewChat, remoteChatSettings, sendChatMessage } from '../lib/deepseek.js';
import { waitFor } from '../lib/wait.js';

const model = 'deepseek-reasoner';
let server: FakeServer | undefined;

export default defineCase({
  name: 'remote-reasoning',
  title: 'remote chat with a reasoning model: reasoning collapsed above the answer, cache figures in the metrics, per-feature connection report',
  timeoutMs: 180_000,
  async prepare() {
    server = await startFakeServer({
      'GET /v1/models': modelList([model], 'deepseek'),
      'POST /v1/chat/completions': chatRoute({
        model,
        continues: endsWithAssistant,
        leadingChunks: () => reasoningPieces.map((piece) => ({ object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: null, reasoning_content: piece }, finish_reason: null }] })),
        // As the DeepSeek API reports it: hits and misses add up to the prompt.
        finalFields: (body, turn) => usageOf(body, turn, { prompt_tokens: 76, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 12 }),
      }),
    });
  },
  settings: () => ({
    ...remoteChatSettings(server!.url, model),
    'deepseekLocal.chat.tools': false,
  }),
  async run(t) {
    try {
      await t.step('extension activates', () => t.wb.waitForActivation(extensionId));
      const { chat, input } = await openNewChat(t.wb);
      await t.step('ask a question', () => sendChatMessage(input, 'hi'));
      const answer = chat.locator('.entry.assistant [data-testid=answer]').last();
      await t.step('the answer arrives', () =>
        waitFor('the answer text', async () => (((await answer.textContent({ timeout: 1000 })) ?? '').includes(chatPieces.join('')) ? true : undefined), { timeoutMs: 60_000 }),
      );
      const reasoning = chat.locator('.entry.assistant [data-testid=reasoning]').last();
      await t.step('the reasoning is there, collapsed, and not in the answer', async () => {
        await reasoning.waitFor({ state: 'visible', timeout: 10_000 });
        assert.equal(await reasoning.evaluate((el) => (el as HTMLDetailsElement).open), false, 'collapsed');
        assert.ok(!((await answer.textContent()) ?? '').includes(reasoningPieces[0]!), 'the thinking is not in the answer');
      });
      const metrics = chat.locator('.entry.assistant [data-testid=metrics]').last();
      await t.step('the metrics show the cache figures', async () => {
        const text = (await metrics.textContent()) ?? '';
        t.log(`metrics: ${text}`);
        assert.match(text, /prompt 76 \(cache hit 64, miss 12\)/);
      });
      await t.screenshot('reasoning-collapsed');
      await t.step('opening it shows the thinking', async () => {
        await reasoning.locator('summary').click();
        assert.equal(((await reasoning.locator('.reasoning-text').textContent()) ?? '').trim(), reasoningPieces.join(''));
      });
      await t.screenshot('reasoning-open');

      await t.wb.runCommand('DeepSeek Local: Test Remote Server Connection');
      const dialog = t.wb.page.locator('.monaco-dialog-box');
      await t.step('the connection report lists what each feature gets', async () => {
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
        const text = (await dialog.textContent()) ?? '';
        t.log(`dialog: ${text}`);
        assert.match(text, /connected to the server/);
        assert.match(text, /ghost text: the server takes no suffix/);
        assert.match(text, /token counts: estimated here/);
      });
      await t.screenshot('connection-report');
      assert.ok(server!.requests.some((request) => request.path === '/v1/chat/completions'), 'the answer came from the server');
    } finally {
      await server?.close();
    }
  },
});
