// DeepSeek Local as a VS Code language model (issue 23 item 3), used the way any extension uses one:
// selected through vscode.lm by its vendor, asked with sendRequest, its answer read from the stream.
// The model has random weights: the test asserts structure (text parts arrive, the stream ends,
// Stop ends it at once, tool calls name an offered tool), never content.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { externalToolRunner } from '../../../src/vscode/languageModel/externalTools.js';
import { echoTool } from './echoTool.js';
import { extensionId, measured, withTimeout } from './helpers.js';

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
  const exports = await vscode.extensions.getExtension(extensionId)?.activate();
  await externalTools(exports);
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
  measured.push(`answer: ${answer.texts.length} text parts`, `cancelled after ${stopped.texts.length} text parts, stream ended ${stopped.endedAfterCancelMs} ms after the cancel`);

  // A request with nothing to answer fails with our message, and the host goes on.
  const empty = async () => readStream(await model.sendRequest([vscode.LanguageModelChatMessage.Assistant('')], {}, new vscode.CancellationTokenSource().token));
  await assert.rejects(withTimeout('an empty request', empty(), 30_000), /DeepSeek Local: the request has no message to answer/);

  const tool: vscode.LanguageModelChatTool = {
    name: 'get_weather',
    description: 'The weather in a city.',
    inputSchema: { type: 'object', properties: { city: { type: 'string', maxLength: 40 } }, required: ['city'] },
  };
  const withTools = await withTimeout('an answer with a tool offered', ask(model, 'What is the weather in Paris?', { tools: [tool], modelOptions: { maxTokens: 24 } }).then((r) => readStream(r)), 90_000);
  assert.ok(withTools.texts.length + withTools.toolCalls.length > 0, 'with a tool offered, neither text nor a tool call arrived');
  measured.push(`with a tool offered: ${withTools.toolCalls.length} tool calls, ${withTools.texts.length} text parts`);
  for (const call of withTools.toolCalls) {
    assert.equal(call.name, tool.name);
    assert.equal(typeof call.input, 'object');
    assert.ok(call.callId, 'a tool call without an id');
  }

  // Required mode: the model must call the tool; the call comes back as a tool-call part whose
  // input is the tool's (the engine's grammar writes it, our validator checks it).
  const required = await withTimeout(
    'a required tool call',
    ask(model, 'What is the weather in Paris?', { tools: [tool], toolMode: vscode.LanguageModelChatToolMode.Required }).then((r) => readStream(r)),
    90_000,
  );
  assert.equal(required.toolCalls.length, 1, `required mode gave ${required.toolCalls.length} tool calls and text ${JSON.stringify(required.texts.join(''))}`);
  assert.equal(required.toolCalls[0]!.name, tool.name);
  assert.equal(typeof (required.toolCalls[0]!.input as { city?: unknown }).city, 'string');
  measured.push(`required mode: ${tool.name}(${JSON.stringify(required.toolCalls[0]!.input)})`);
}

/**
 * Another extension's tool (the companion's echo tool) in our chat: the user's setting names it,
 * the extension reads the name, and the runner our chat uses lists it from vscode.lm.tools and
 * invokes it through vscode.lm.invokeTool. The companion registers the tool when it runs the suite
 * (DEEPSEEK_LOCAL_API_TESTS, companion.ts); the @vscode/test-electron route has no companion and so
 * no such tool: there this part has nothing to test.
 */
async function externalTools(exports: unknown): Promise<void> {
  if (!process.env.DEEPSEEK_LOCAL_API_TESTS) return;
  assert.ok(vscode.lm.tools.some((tool) => tool.name === echoTool.name), `the companion's ${echoTool.name} is not in vscode.lm.tools`);
  const chat = vscode.workspace.getConfiguration('deepseekLocal.chat');
  await chat.update('externalTools', [echoTool.name, 'no_such_tool'], vscode.ConfigurationTarget.Global);
  try {
    const config = (exports as { config?: { chat: { externalTools: string[] } } } | undefined)?.config;
    assert.ok(config, 'activate() no longer returns a context with config; update this test');
    // The extension host may see the new value a moment after update() resolves.
    for (let tries = 0; tries < 50 && config.chat.externalTools.length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(config.chat.externalTools, [echoTool.name, 'no_such_tool']);
    const logged: string[] = [];
    const runner = externalToolRunner(config.chat.externalTools, { grammarSafe: true, log: (line) => logged.push(line) });
    assert.ok(runner, 'no runner for an enabled, registered tool');
    assert.deepEqual(runner.definitions.map((tool) => tool.name), [echoTool.name]);
    assert.deepEqual(runner.definitions[0]!.parameters, { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false });
    assert.ok(logged.some((line) => line.includes('no_such_tool')), `the missing tool is not logged: ${logged.join(' / ')}`);
    const result = await withTimeout('invoking the external tool', runner.run({ id: 'c1', name: echoTool.name, arguments: '{"text":"hi"}' }), 30_000);
    assert.deepEqual(result, { ok: true, content: 'echo: hi' });
    const broken = await runner.run({ id: 'c2', name: echoTool.name, arguments: 'not json' });
    assert.equal(broken.ok, false);
  } finally {
    await chat.update('externalTools', undefined, vscode.ConfigurationTarget.Global);
  }
}
