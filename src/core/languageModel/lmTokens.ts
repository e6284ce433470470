// Token counts for vscode.lm callers (provideTokenCount), which fit their prompts to the model's
// maxInputTokens with them: the model's own tokenizer where the backend has one, else the client
// estimate of core/chat/tokenEstimate.ts (issue 20). Counts are remembered per text, as VS Code asks
// for each message of a conversation again at every request.
import type { ChatEngine } from "../engine/chatEngine.js";
import { messageOverheadTokens, TokenCounter } from "../chat/contextWindow.js";
import { EngineError } from "../../protocol/engine.js";
import { lmMessageText, type LmMessage } from "./lmMessages.js";

export class LmTokenCounter {
  private counter: TokenCounter;

  constructor(private readonly engine: Pick<ChatEngine, "tokenize">) {
    this.counter = this.newCounter();
  }

  /** The tokens of a text, or of a message with its template overhead. */
  async count(input: string | LmMessage): Promise<number> {
    if (typeof input === "string") return this.counter.count(input);
    return (await this.counter.count(lmMessageText(input))) + messageOverheadTokens;
  }

  /** The backend or its model changed: earlier counts no longer hold. */
  reset(): void {
    this.counter = this.newCounter();
  }

  private newCounter(): TokenCounter {
    return new TokenCounter(async (text) => {
      try {
        return (await this.engine.tokenize(text)).length;
      } catch (error) {
        // A server without a tokenizer (the DeepSeek API, any OpenAI-compatible server): estimate.
        if (error instanceof EngineError && error.code === "remoteUnsupported") return null;
        throw error;
      }
    });
  }
}
