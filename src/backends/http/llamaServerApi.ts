// llama-server's native endpoints, beyond the OpenAI API: /props, /tokenize, /completion with token
// id prompts (what generate/prefill need), /infill. Field names follow tools/server of the release
// node-llama-cpp bundles.
import { z } from "zod";
import type { PromptSegment, SpecialTokenName } from "../../protocol/engine.js";
import type { GenerationRequest } from "../../core/engine/engine.js";
import type { HttpTransport } from "./httpTransport.js";
import { RemoteEngineError } from "./remoteError.js";
import { deepseekFimTokenText } from "../../core/models/deepseekFimTokens.js";

export const LlamaProps = z
  .object({
    default_generation_settings: z.object({ n_ctx: z.number().optional() }).passthrough().optional(),
    total_slots: z.number().optional(),
    model_path: z.string().optional(),
    chat_template: z.string().optional(),
    chat_template_caps: z.record(z.string(), z.unknown()).optional(),
    bos_token: z.string().optional(),
    eos_token: z.string().optional(),
    build_info: z.string().optional(),
  })
  .passthrough();
export type LlamaProps = z.infer<typeof LlamaProps>;

const TokenizeAnswer = z.object({ tokens: z.array(z.number().int()) });

export type SpecialTokenIds = Record<SpecialTokenName, number | null>;

export class LlamaServerApi {
  private specialTokens: Promise<SpecialTokenIds> | undefined;

  constructor(
    private readonly transport: HttpTransport,
    private readonly baseUrl: string,
    private readonly props: LlamaProps,
  ) {}

  async tokenize(text: string | (string | number)[], parseSpecial: boolean, signal?: AbortSignal): Promise<number[]> {
    const raw = await this.transport.postJson(`${this.baseUrl}/tokenize`, { content: text, add_special: false, parse_special: parseSpecial }, signal);
    const parsed = TokenizeAnswer.safeParse(raw);
    if (!parsed.success) throw new RemoteEngineError("remoteBadResponse", `${this.baseUrl}/tokenize answered in an unexpected shape.`);
    return parsed.data.tokens;
  }

  /** Special token ids by name, from the server's own vocabulary (a text that is one control token). */
  specialTokenIds(signal?: AbortSignal): Promise<SpecialTokenIds> {
    this.specialTokens ??= this.resolveSpecialTokens(signal).catch((error: unknown) => {
      this.specialTokens = undefined;
      throw error;
    });
    return this.specialTokens;
  }

  /**
   * Prompt segments → token ids. Plain text is tokenized with special parsing off (a user cannot
   * type a control token); llama-server's /completion would parse specials in prompt strings.
   */
  async promptTokens(prompt: readonly PromptSegment[], signal?: AbortSignal): Promise<number[]> {
    const ids = await this.specialTokenIds(signal);
    // Consecutive segments with the same parsing go in one /tokenize call (an array is tokenized piecewise).
    const runs: { parseSpecial: boolean; items: (string | number)[] }[] = [];
    for (const segment of prompt) {
      let item: string | number;
      let parseSpecial = false;
      if ("token" in segment) {
        const id = ids[segment.token];
        if (id === null) {
          throw new RemoteEngineError(
            segment.token.startsWith("fim") ? "fimUnsupported" : "remoteUnsupported",
            `The served model has no ${segment.token} token.`,
          );
        }
        item = id;
      } else {
        item = segment.text;
        parseSpecial = segment.parseSpecial ?? false;
      }
      const last = runs.at(-1);
      if (last && (last.parseSpecial === parseSpecial || typeof item === "number")) last.items.push(item);
      else runs.push({ parseSpecial, items: [item] });
    }
    const tokenized = await Promise.all(
      runs.map((run) => (run.items.every((item) => typeof item === "number") ? (run.items as number[]) : this.tokenize(run.items, run.parseSpecial, signal))),
    );
    return tokenized.flat();
  }

  /** The /completion body for a generate request whose prompt is already token ids. */
  completionBody(request: GenerationRequest, tokens: number[], extraBody: Record<string, unknown>): Record<string, unknown> {
    return {
      ...extraBody,
      prompt: tokens,
      n_predict: request.maxTokens,
      temperature: request.temperature ?? 0,
      ...(request.topK !== undefined ? { top_k: request.topK } : {}),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stopStrings?.length ? { stop: request.stopStrings } : {}),
      ...(request.jsonSchema ? { json_schema: request.jsonSchema } : {}),
      // No id_slot: on a shared server, llama-server's own choice (the slot whose cache shares the
      // longest prefix) keeps each user's KV; pinning features to slots would make users evict each other.
      cache_prompt: true,
    };
  }

  private async resolveSpecialTokens(signal?: AbortSignal): Promise<SpecialTokenIds> {
    const texts: Record<SpecialTokenName, string | undefined> = {
      bos: this.props.bos_token,
      eos: this.props.eos_token,
      // llama-server does not list its FIM ids: its tokenizer finds them by text.
      ...deepseekFimTokenText,
    };
    const entries = await Promise.all(
      Object.entries(texts).map(async ([name, text]) => {
        if (!text) return [name, null] as const;
        const tokens = await this.tokenize(text, true, signal);
        return [name, tokens.length === 1 ? tokens[0] : null] as const;
      }),
    );
    return Object.fromEntries(entries) as SpecialTokenIds;
  }
}
