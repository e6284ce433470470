// Keeps a conversation inside the model's context window, counted in tokens of the loaded model:
// system messages and the current turn are always kept whole; the oldest whole turns are dropped
// first, and the caller shows the notice. The user's own message is never cut: when it alone does
// not fit, the turn is refused with a message that says what to do.
import type { ChatMessage } from "../engine/chatEngine.js";
import { EstimateCorrection, estimateTokens } from "./tokenEstimate.js";

/** Template scaffolding per message ("User: ", "\n\n", role tokens, EOS), counted generously. */
export const messageOverheadTokens = 8;

export class ContextWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContextWindowError";
  }
}

/**
 * Counts tokens with the model's tokenizer; remembers counts so each message is counted once.
 * Where the backend has no tokenizer (`tokenize` answers null: the DeepSeek API, SGLang, any
 * OpenAI-compatible server), it counts with a conservative estimate, raised by what the server
 * reported for earlier prompts (issue 20).
 */
export class TokenCounter {
  private readonly counts = new Map<string, { tokens: number; estimated: boolean }>();
  readonly correction = new EstimateCorrection();
  private estimating = false;

  constructor(
    private readonly tokenize: (text: string) => Promise<number | null>,
    private readonly maxEntries = 512,
  ) {}

  /** Whether the last count was an estimate (the backend has no tokenizer). */
  get estimated(): boolean {
    return this.estimating;
  }

  async count(text: string): Promise<number> {
    let entry = this.counts.get(text);
    if (entry === undefined) {
      const tokens = await this.tokenize(text);
      entry = tokens === null ? { tokens: estimateTokens(text), estimated: true } : { tokens, estimated: false };
      if (this.counts.size >= this.maxEntries) this.counts.delete(this.counts.keys().next().value!);
      this.counts.set(text, entry);
    }
    this.estimating = entry.estimated;
    return entry.estimated ? this.correction.apply(entry.tokens) : entry.tokens;
  }

  /**
   * The server counted `reported` tokens for a prompt made of `texts` and `messages` messages:
   * where the counts were estimates, later estimates are raised by what they missed (never lowered).
   */
  calibrate(reported: number, texts: readonly string[], messages: number): void {
    if (!this.estimating) return;
    const estimated = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    this.correction.observe(reported, estimated, messages * messageOverheadTokens);
  }
}

export interface FitResult {
  messages: ChatMessage[];
  /** Turns (a user message and the answers and tool results after it) left out, oldest first. */
  droppedTurns: number;
  promptTokens: number;
  /** Shown in the transcript when turns were dropped. */
  notice: string | null;
}

/** Splits the non-system messages into turns, each starting at a user message. */
export function splitTurns(messages: readonly ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "user" || turns.length === 0) turns.push([message]);
    else turns[turns.length - 1]!.push(message);
  }
  return turns;
}

/** The text of a message that its token count is taken from (content and tool calls). */
export function messageText(message: ChatMessage): string {
  const calls = message.toolCalls?.map((call) => `${call.name} ${call.arguments}`).join("\n") ?? "";
  return (message.reasoning ?? "") + message.content + calls;
}

export async function messageTokens(counter: TokenCounter, message: ChatMessage): Promise<number> {
  return (await counter.count(messageText(message))) + messageOverheadTokens;
}

/**
 * Drops the oldest turns until the prompt fits in `budgetTokens` (the context size minus what the
 * answer may take). The last turn — the one being answered — is always kept.
 */
export async function fitToContext(messages: readonly ChatMessage[], budgetTokens: number, counter: TokenCounter): Promise<FitResult> {
  const system = messages.filter((m) => m.role === "system");
  const turns = splitTurns(messages);
  const sum = async (list: readonly ChatMessage[]) => {
    let total = 0;
    for (const message of list) total += await messageTokens(counter, message);
    return total;
  };
  const systemTokens = await sum(system);
  const turnTokens = await Promise.all(turns.map(sum));
  const current = turnTokens[turnTokens.length - 1] ?? 0;
  if (systemTokens + current > budgetTokens) {
    throw new ContextWindowError(
      `This message and its attachments take about ${systemTokens + current} tokens; the context leaves ${budgetTokens} for the conversation. ` +
        "Detach files, shorten the message, or raise deepseekLocal.engine.contextSize.",
    );
  }
  let total = systemTokens + turnTokens.reduce((a, b) => a + b, 0);
  let dropped = 0;
  while (total > budgetTokens && dropped < turns.length - 1) {
    total -= turnTokens[dropped]!;
    dropped++;
  }
  const kept = turns.slice(dropped).flat();
  const droppedMessages = turns.slice(0, dropped).reduce((n, turn) => n + turn.length, 0);
  return {
    messages: [...system, ...kept],
    droppedTurns: dropped,
    promptTokens: total,
    notice: dropped
      ? `${droppedMessages} earlier message${droppedMessages === 1 ? " was" : "s were"} left out so the conversation fits the model's context (${budgetTokens} tokens).`
      : null,
  };
}

/** Below this many tokens a cut result is of no use: the model is told the result was left out. */
const minUsefulToolTokens = 48;

export interface FittedToolResult {
  content: string;
  /** What the result's message costs, overhead included. */
  tokens: number;
  cut: boolean;
}

/**
 * A tool result cut to what is left of the context window (`budgetTokens`, the message overhead
 * included), at a line break where one is near, with a marker that says so; whole when it fits.
 * A result too large for the context would fail the turn (issue 19, item 11).
 */
export async function fitToolResult(content: string, budgetTokens: number, counter: TokenCounter): Promise<FittedToolResult> {
  const cost = async (text: string) => (await counter.count(text)) + messageOverheadTokens;
  const whole = await cost(content);
  if (whole <= budgetTokens) return { content, tokens: whole, cut: false };
  const leftOut = `(The result of this tool, ${content.length} characters, was left out: the model's context window is full. Answer with what you have, or ask for something smaller.)`;
  const cutAt = (length: number) => {
    const lineEnd = content.lastIndexOf("\n", length);
    const end = lineEnd > length / 2 ? lineEnd : length;
    return `${content.slice(0, end)}\n… (cut to fit the context window: the first ${end} of ${content.length} characters are shown; ask for a smaller part for more)`;
  };
  if (budgetTokens >= minUsefulToolTokens) {
    // Shrink in proportion to the excess until it fits; a few rounds suffice (tokens ≈ characters / k).
    let length = Math.floor((content.length * budgetTokens) / whole);
    for (let round = 0; round < 8 && length > 0; round++) {
      const candidate = cutAt(length);
      const tokens = await cost(candidate);
      if (tokens <= budgetTokens) return { content: candidate, tokens, cut: true };
      length = Math.floor(length * Math.min(0.95, budgetTokens / tokens));
    }
  }
  return { content: leftOut, tokens: await cost(leftOut), cut: true };
}
