// One chat turn: ask the engine, run the tools it asks for, give it the results, until it answers.
// Backend-neutral: the local engine asks through a grammar step, a remote one through native
// function calling; both come back as `toolCalls` on the result.
import type { ChatEngine, ChatMessage, ChatResult, ToolCall, ToolDefinition } from "../engine/chatEngine.js";

export interface ToolRunner {
  readonly definitions: readonly ToolDefinition[];
  /** Runs a call; `signal` is the turn's Stop (a tool waiting on the user or a command ends with it). */
  run(call: ToolCall, signal?: AbortSignal): Promise<{ ok: boolean; content: string }>;
}

export interface ChatTurnEvents {
  /** A text chunk of the answer being generated. */
  onText(text: string): void;
  /** A chunk of a reasoning model's thinking (shown apart; not part of the conversation). */
  onReasoning?(text: string): void;
  /** The model asked for a tool; called before it runs. */
  onToolCall(call: ToolCall): void;
  /** A tool finished; its result goes back to the model. */
  onToolResult(call: ToolCall, result: { ok: boolean; content: string }): void;
}

export interface ChatTurnRequest {
  messages: readonly ChatMessage[];
  tools?: ToolRunner;
  /** Tool rounds before the model must answer without tools. */
  maxToolRounds?: number;
  /** Tokens the turn may generate over all its steps; past it the turn ends where it is. */
  maxTurnTokens?: number;
  assistantPrefix?: string;
  maxTokens: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface ChatTurnOutcome {
  /** The final answer (without tool steps), its stop reason and counters. */
  answer: ChatResult;
  /** What the turn added after the request's messages: tool steps and results, then the answer. */
  added: ChatMessage[];
}

export async function runChatTurn(engine: ChatEngine, request: ChatTurnRequest, events: ChatTurnEvents): Promise<ChatTurnOutcome> {
  const added: ChatMessage[] = [];
  const maxRounds = request.maxToolRounds ?? 3;
  let tokensLeft = request.maxTurnTokens ?? Number.POSITIVE_INFINITY;
  for (let round = 0; ; round++) {
    const toolsAllowed = !!request.tools && round < maxRounds && !request.assistantPrefix;
    const result = await engine.chat(
      {
        messages: [...request.messages, ...added],
        tools: toolsAllowed ? request.tools!.definitions : undefined,
        assistantPrefix: request.assistantPrefix,
        maxTokens: Math.max(1, Math.min(request.maxTokens, tokensLeft)),
        temperature: request.temperature,
        sequence: "chat",
      },
      { signal: request.signal, onText: events.onText, onReasoning: events.onReasoning },
    );
    tokensLeft -= result.metrics.generatedTokens;
    if (!toolsAllowed || !result.toolCalls?.length || result.stopReason === "aborted") {
      added.push({ role: "assistant", content: result.text });
      return { answer: result, added };
    }
    added.push({ role: "assistant", content: result.text, toolCalls: result.toolCalls, ...(result.reasoning ? { reasoning: result.reasoning } : {}) });
    for (const call of result.toolCalls) {
      events.onToolCall(call);
      const outcome = await request.tools!.run(call, request.signal);
      events.onToolResult(call, outcome);
      added.push({ role: "tool", content: outcome.content, toolCallId: call.id });
    }
    request.signal?.throwIfAborted();
    // The turn's token cap is spent: it ends after the tool results, which the chat shows.
    if (tokensLeft <= 0) return { answer: { ...result, text: "", toolCalls: undefined, stopReason: "maxTokens" }, added };
  }
}
