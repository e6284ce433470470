// The generation stage of one request: sampled tokens one step at a time, the text a JSON schema
// forces between them (written and evaluated in one batch, not sampled), and the stop detector
// deciding after each piece when it ends. The prompt is already in the sequence but its last token,
// whose evaluation yields the first sampled token.
import type { LlamaModel, Token } from "node-llama-cpp";
import { endsWithIncompleteCharacter } from "../core/generation/textStream.js";
import type { RequestMeter } from "./requestMeter.js";
import type { SchemaJumpAhead } from "./schemaJumpAhead.js";
import type { StopDetector } from "./stopDetector.js";
import type { TokenStepper } from "./tokenStepper.js";

export class GenerationLoop {
  /** Tokens generated, forced ones included: they count against the token limit too. */
  generated = 0;
  forced = 0;
  /** Sampled tokens whose text does not end in a whole character yet. */
  private pending: Token[] = [];

  constructor(
    private readonly model: LlamaModel,
    private readonly stop: StopDetector,
    private readonly meter: RequestMeter,
    private readonly maxTokens: number,
    private readonly jumpAhead: SchemaJumpAhead | undefined,
    /** Lets the foreground sequence's requests run between two tokens of this one. */
    private readonly yieldBetweenTokens: () => Promise<void> | undefined,
  ) {}

  /** Text the schema forces before the first sampled token; call before run(). */
  opening(): Token[] {
    return this.writeForced();
  }

  async run(stepper: TokenStepper, firstInput: Token[]): Promise<void> {
    // The next evaluation: the sampled token, then any text the schema forces after it.
    let input = firstInput;
    while (!this.stop.stopped) {
      const token = await stepper.step(input);
      if (token === null) break;
      input = [token];
      await this.yieldBetweenTokens();
      this.generated++;
      this.meter.tokenGenerated();
      const piece = this.decode(token);
      if (piece !== undefined) {
        this.jumpAhead?.follow(piece);
        if (this.stop.pushText(piece)) break;
        input.push(...this.writeForced());
        if (this.stop.stopped) break;
      }
      if (this.stop.checkLimits(this.generated)) break;
    }
  }

  /** The text of the sampled tokens not decoded yet (they ended inside a character). */
  undecoded(): string {
    return this.pending.length ? this.model.detokenize(this.pending, false) : "";
  }

  /** The text of the tokens so far, once it ends in a whole character. */
  private decode(token: Token): string | undefined {
    this.pending.push(token);
    const piece = this.model.detokenize(this.pending, false);
    if (endsWithIncompleteCharacter(piece)) return undefined;
    this.pending = [];
    return piece;
  }

  /** Text the schema forces (keys, punctuation) is written, not sampled; it counts as generated. */
  private writeForced(): Token[] {
    if (!this.jumpAhead) return [];
    const forced = this.jumpAhead.next(this.maxTokens - this.generated);
    if (forced.tokens.length) {
      this.generated += forced.tokens.length;
      this.forced += forced.tokens.length;
      this.stop.pushText(forced.text);
    }
    return forced.tokens;
  }
}
