// DeepSeek Local as a VS Code language model (issue 23 item 3), used the way any extension uses one:
// selected through vscode.lm by its vendor, asked with sendRequest, its answer read from the stream.
// The model has random weights: the test asserts structure (text parts arrive, the stream ends,
// Stop ends it at once, tool calls name an offered tool), never content.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId, withTimeout } from './helpers.js';

const vendor = 'deepseek-local';

interface StreamRead {
  texts: string[];
  toolCalls: vscode.LanguageModelToolCallPart[];
  /** ms from the cancel to the stream's end, when the reader cancelled it. */
  endedAfterCancelMs?: number;
}

async function readStream(response: vscode.LanguageModelChatResponse, cancel?: { after: number; source: vscode.CancellationTokenSource }): Promise<StreamRead> {
  const read: StreamRead = { texts: [], toolCalls: [] };
  let cancelledAt: number | undefined;
  for await (const part of response.stream) {
    if (part instanceof vscode.LanguageModelTextPart) read.texts.push(part.value);
    else if (part instanceof vscode.LanguageModelToolCallPart) read.toolCalls.push(part);
    if (cancel && cancelledAt === undefined && read.texts.length >= cancel.after) {
      cancelledAt = Date.now();
      cancel.source.cancel();
    }
  }
  if (cancelledAt !== undefined) read.endedAfterCancelMs = Date.now() - cancelledAt;
  return read;
}

const ask = (model: vscode.LanguageModelChat, text: string, options: vscode.LanguageModelChatRequestOptions, token = new vscode.CancellationTokenSource().token) =>
  model.sendRequest([vscode.LanguageModelChatMessage.User(text)], options, token);

export async function run(): Promise<void> {
  await vscode.extensions.getExtension(extensionId)?.activate();
  const models = await withTimeout('selectChatModels', vscode.lm.selectChatModels({ vendor }), 30_000);
  assert.equal(models.length, 1, `vscode.lm.selectChatModels({ vendor: '${vendor}' }) found ${models.length} models`);
  const model = models[0]!;
  assert.equal(model.vendor, vendor);
  assert.equal(model.family, 'deepseek');
  assert.ok(model.maxInputTokens > 0, `maxInputTokens ${model.maxInputTokens}`);

  const code = 'function add(a, b) { return a + b; }';
  const tokens = await withTimeout('countTokens', model.countTokens(code), 60_000);
  assert.ok(tokens > 0 && tokens <= code.length, `countTokens gave ${tokens} for ${code.length} characters`);

  const answer = await withTimeout('a streamed answer', ask(model, 'Write a function that adds two numbers.', { modelOptions: { maxTokens: 24 } }).then((r) => readStream(r)), 90_000);
  assert.ok(answer.texts.length > 0, 'no text part arrived');
  assert.ok(answer.texts.join('').length > 0, 'the text parts are empty');

  const source = new vscode.CancellationTokenSource();
  const stopped = await withTimeout(
    'a cancelled answer',
    ask(model, 'Tell me a very long story about compilers.', { modelOptions: { maxTokens: 1500 } }, source.token).then((r) => readStream(r, { after: 2, source })),
    90_000,
  );
  assert.ok(stopped.endedAfterCancelMs !== undefined, `the answer ended before it could be cancelled (${stopped.texts.length} text parts)`);
  assert.ok(stopped.endedAfterCancelMs < 5_000, `the stream ended ${stopped.endedAfterCancelMs} ms after the cancel`);

  const tool: vscode.LanguageModelChatTool = {
    name: 'get_weather',
    description: 'The weather in a city.',
    inputSchema: { type: 'object', properties: { city: { type: 'string', maxLength: 40 } }, required: ['city'] },
  };
  const withTools = await withTimeout('an answer with a tool offered', ask(model, 'What is the weather in Paris?', { tools: [tool], modelOptions: { maxTokens: 24 } }).then((r) => readStream(r)), 90_000);
  assert.ok(withTools.texts.length + withTools.toolCalls.length > 0, 'with a tool offered, neither text nor a tool call arrived');
  for (const call of withTools.toolCalls) {
    assert.equal(call.name, tool.name);
    assert.equal(typeof call.input, 'object');
    assert.ok(call.callId, 'a tool call without an id');
  }
}
