// Folds the chunks of a streamed OpenAI-style answer (chat or text completion, and llama-server's
// native /completion and /infill) into one result. Chunks are validated loosely: servers add fields
// freely, but a chunk that is not the expected shape is a malformed answer, not something to guess at.
import { z } from "zod";
import type { ToolCall } from "../engine/chatEngine.js";

const ToolCallDelta = z.object({
  index: z.number().int().min(0).optional(),
  id: z.string().optional().nullable(),
  function: z.object({ name: z.string().optional().nullable(), arguments: z.string().optional().nullable() }).partial().optional(),
});

const Timings = z
  .object({ cache_n: z.number(), prompt_n: z.number(), prompt_ms: z.number(), predicted_n: z.number(), predicted_ms: z.number() })
  .partial();
export type ServerTimings = z.infer<typeof Timings>;

const Usage = z
  .object({
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().optional() }).nullable().optional(),
    // The DeepSeek API's context cache (https://api-docs.deepseek.com/guides/kv_cache).
    prompt_cache_hit_tokens: z.number().optional(),
    prompt_cache_miss_tokens: z.number().optional(),
  })
  .partial();
export type ServerUsage = z.infer<typeof Usage>;

const OpenAiChunk = z.object({
  choices: z.array(
    z.object({
      index: z.number().optional(),
      finish_reason: z.string().nullable().optional(),
      /** Chat completions. */
      delta: z
        .object({
          content: z.string().nullable().optional(),
          reasoning_content: z.string().nullable().optional(),
          tool_calls: z.array(ToolCallDelta).nullable().optional(),
        })
        .optional(),
      /** Text completions. */
      text: z.string().optional(),
    }),
  ),
  usage: Usage.nullable().optional(),
  timings: Timings.optional(),
});

/** llama-server's native /completion and /infill chunks. */
const LlamaChunk = z.object({
  content: z.string(),
  stop: z.boolean(),
  stop_type: z.string().optional(),
  tokens_predicted: z.number().optional(),
  tokens_evaluated: z.number().optional(),
  timings: Timings.optional(),
});

/** Ollama's native /api/generate lines (NDJSON); durations are in nanoseconds. */
const OllamaChunk = z.object({
  response: z.string(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  prompt_eval_duration: z.number().optional(),
  eval_count: z.number().optional(),
  eval_duration: z.number().optional(),
});

export type StreamFormat = "openai" | "llama" | "ollama";

export type FinishReason = "stop" | "length" | "toolCalls" | "other";

export interface StreamedAnswer {
  text: string;
  /** A reasoning model's thinking (DeepSeek's `reasoning_content`), kept apart from the answer. */
  reasoning: string;
  toolCalls: ToolCall[];
  /** Undefined until the server said why it stopped: a stream that ends without it was cut off. */
  finishReason: FinishReason | undefined;
  usage: ServerUsage | undefined;
  timings: ServerTimings | undefined;
  /** Whether the server saw a stop string (llama-server tells; OpenAI servers do not). */
  stoppedByString: boolean;
  /** Generated tokens as far as the chunks tell (llama-server streams one token per chunk). */
  chunkTokens: number;
}

export class MalformedChunkError extends Error {}

export class AnswerAccumulator {
  private text = "";
  private reasoning = "";
  private unreadReasoning = "";
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private finishReason: FinishReason | undefined;
  private usage: ServerUsage | undefined;
  private timings: ServerTimings | undefined;
  private stoppedByString = false;
  private chunkTokens = 0;

  constructor(private readonly format: StreamFormat) {}

  /** Adds one parsed JSON chunk; returns the new answer text it carried (possibly ""). */
  add(chunk: unknown): string {
    if (this.format === "ollama") return this.addOllama(chunk);
    return this.format === "openai" ? this.addOpenAi(chunk) : this.addLlama(chunk);
  }

  result(): StreamedAnswer {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ id: call.id || `call_${index}`, name: call.name, arguments: call.arguments }));
    return {
      text: this.text,
      reasoning: this.reasoning,
      toolCalls,
      finishReason: this.finishReason,
      usage: this.usage,
      timings: this.timings,
      stoppedByString: this.stoppedByString,
      chunkTokens: this.chunkTokens,
    };
  }

  private addOpenAi(raw: unknown): string {
    const parsed = OpenAiChunk.safeParse(raw);
    if (!parsed.success) throw new MalformedChunkError(`unexpected chunk shape: ${describeIssues(parsed.error)}`);
    const chunk = parsed.data;
    if (chunk.usage) this.usage = chunk.usage;
    if (chunk.timings) this.timings = chunk.timings;
    let added = "";
    for (const choice of chunk.choices) {
      if ((choice.index ?? 0) !== 0) continue; // we always ask for one choice
      const piece = choice.delta?.content ?? choice.text ?? "";
      added += piece;
      const thought = choice.delta?.reasoning_content;
      if (thought) {
        this.reasoning += thought;
        this.unreadReasoning += thought;
      }
      for (const delta of choice.delta?.tool_calls ?? []) this.addToolCallDelta(delta);
      if (choice.finish_reason) this.finishReason = toFinishReason(choice.finish_reason);
    }
    this.text += added;
    if (added) this.chunkTokens++;
    return added;
  }

  /** Reasoning that arrived since the last call (streamed to the caller apart from the answer). */
  takeReasoning(): string {
    const thought = this.unreadReasoning;
    this.unreadReasoning = "";
    return thought;
  }

  private addToolCallDelta(delta: z.infer<typeof ToolCallDelta>): void {
    const index = delta.index ?? this.calls.size;
    const call = this.calls.get(index) ?? { id: "", name: "", arguments: "" };
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name += delta.function.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
    this.calls.set(index, call);
  }

  private addLlama(raw: unknown): string {
    const parsed = LlamaChunk.safeParse(raw);
    if (!parsed.success) throw new MalformedChunkError(`unexpected chunk shape: ${describeIssues(parsed.error)}`);
    const chunk = parsed.data;
    this.text += chunk.content;
    this.chunkTokens = chunk.tokens_predicted ?? this.chunkTokens + (chunk.content ? 1 : 0);
    if (chunk.timings) this.timings = chunk.timings;
    if (chunk.stop) {
      this.finishReason = chunk.stop_type === "limit" ? "length" : "stop";
      this.stoppedByString = chunk.stop_type === "word";
      if (chunk.tokens_predicted !== undefined || chunk.tokens_evaluated !== undefined) {
        this.usage = { completion_tokens: chunk.tokens_predicted, prompt_tokens: chunk.tokens_evaluated };
      }
    }
    return chunk.content;
  }

  private addOllama(raw: unknown): string {
    const parsed = OllamaChunk.safeParse(raw);
    if (!parsed.success) throw new MalformedChunkError(`unexpected chunk shape: ${describeIssues(parsed.error)}`);
    const chunk = parsed.data;
    this.text += chunk.response;
    if (chunk.response) this.chunkTokens++;
    if (chunk.done) {
      this.finishReason = chunk.done_reason === "length" ? "length" : "stop";
      this.usage = { prompt_tokens: chunk.prompt_eval_count, completion_tokens: chunk.eval_count };
      const ms = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1e6);
      this.timings = { prompt_n: chunk.prompt_eval_count, prompt_ms: ms(chunk.prompt_eval_duration), predicted_n: chunk.eval_count, predicted_ms: ms(chunk.eval_duration) };
    }
    return chunk.response;
  }
}

function toFinishReason(reason: string): FinishReason {
  switch (reason) {
    case "stop":
    case "eos":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "toolCalls";
    default:
      return "other";
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}
