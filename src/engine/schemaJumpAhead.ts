// Jump-ahead decoding for JSON-schema requests: the text the schema forces (SchemaForcedText) is
// tokenized, checked token by token against the request's grammar state and accepted into it, and
// then evaluated in one batch with the last sampled token instead of being sampled one token at a
// time. node-llama-cpp has no public call for "accept this token into a grammar state"; its
// sampler binding does (used by its own speculative decoding), so this reaches it, and switches
// itself off (plain sampling) where a different node-llama-cpp lacks it.
import type { Llama, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { SchemaForcedText } from "../core/json/schemaForcedText.js";
import type { JsonSchema } from "../core/json/validateJson.js";

interface GrammarBindings {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: Token): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: Token): void;
}

export interface ForcedText {
  tokens: Token[];
  text: string;
}

export class SchemaJumpAhead {
  private constructor(
    private readonly tracker: SchemaForcedText,
    private readonly model: LlamaModel,
    private readonly bindings: GrammarBindings,
    private readonly state: unknown,
  ) {}

  /** Undefined when the schema is outside what the tracker follows or the binding lacks the calls. */
  static create(llama: Llama, model: LlamaModel, schema: JsonSchema, grammarState: LlamaGrammarEvaluationState): SchemaJumpAhead | undefined {
    const tracker = SchemaForcedText.for(schema);
    const bindings = (llama as unknown as { _bindings?: { AddonSampler?: Partial<GrammarBindings> } })._bindings?.AddonSampler;
    const state = (grammarState as unknown as { _state?: unknown })._state;
    if (
      !tracker ||
      state == null ||
      typeof bindings?.canBeNextTokenForGrammarEvaluationState !== "function" ||
      typeof bindings.acceptGrammarEvaluationStateToken !== "function"
    ) {
      return undefined;
    }
    return new SchemaJumpAhead(tracker, model, bindings as GrammarBindings, state);
  }

  /** Follows text the model sampled (already accepted by the grammar when it was sampled). */
  follow(text: string): void {
    this.tracker.push(text);
  }

  /**
   * Accepts the text forced from here into the grammar state (at most `budget` tokens) and returns
   * it, for the caller to evaluate; empty where the model has a choice.
   */
  next(budget: number): ForcedText {
    const text = budget > 0 ? this.tracker.forced() : "";
    if (!text) return { tokens: [], text: "" };
    const all = this.model.tokenize(text, false);
    const tokens: Token[] = [];
    for (const token of all.slice(0, budget)) {
      // The grammar has the last word: a token it refuses ends the jump, and sampling takes over.
      if (!this.bindings.canBeNextTokenForGrammarEvaluationState(this.state, token)) break;
      this.bindings.acceptGrammarEvaluationStateToken(this.state, token);
      tokens.push(token);
    }
    const accepted = tokens.length === all.length ? text : this.model.detokenize(tokens, false);
    this.tracker.push(accepted);
    return { tokens, text: accepted };
  }
}
