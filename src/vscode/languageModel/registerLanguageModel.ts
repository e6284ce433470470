// DeepSeek Local as a VS Code language model (issue 23 item 3): VS Code's own chat and any extension
// that uses vscode.lm can pick it. The model is the one the settings give chat (local engine or the
// chat server); requests, tools and token counts go through core/languageModel/. This file converts
// VS Code's part classes and its CancellationToken at the boundary.
import * as vscode from "vscode";
import { estimateTokens } from "../../core/chat/tokenEstimate.js";
import type { ChatLocation } from "../../core/chat/chatLocation.js";
import type { Engine } from "../../core/engine/engine.js";
import type { ModelInfo } from "../../protocol/engine.js";
import { describeLanguageModel, lmGenerationLimits, type LmModelDescription } from "../../core/languageModel/lmModel.js";
import { answerLmRequest, LmRequestError } from "../../core/languageModel/lmResponse.js";
import { LmTokenCounter } from "../../core/languageModel/lmTokens.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { toLmMessage } from "./lmParts.js";

/** The vendor in package.json `languageModelChatProviders`; callers select it with `{ vendor }`. */
export const languageModelVendor = "deepseek-local";

/** How long listing the models waits for a remote server's description before using the settings. */
const describeTimeoutMs = 5_000;

export function registerLanguageModel(ctx: ExtensionContextHolder): void {
  const provider = ctx.own(new DeepSeekChatModelProvider(ctx));
  ctx.own(vscode.lm.registerLanguageModelChatProvider(languageModelVendor, provider));
}

class DeepSeekChatModelProvider implements vscode.LanguageModelChatProvider<LmModelDescription & vscode.LanguageModelChatInformation>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly engine: Engine;
  private readonly tokens: LmTokenCounter;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(private readonly ctx: ExtensionContextHolder) {
    this.engine = ctx.engineFor("chat");
    this.tokens = new LmTokenCounter(this.engine);
    const modelChanged = () => {
      this.tokens.reset();
      this.changed.fire();
    };
    this.subscriptions.push(
      ctx.supervisor.onStateChange((state) => state.kind === "ready" && modelChanged()),
      // Any of our settings may change what is listed (backend, model file, context, answer length).
      ctx.config.onDidChange((change) => change.affects("any") && modelChanged()),
    );
  }

  async provideLanguageModelChatInformation(_options: vscode.PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken) {
    const location = this.location();
    const model = await this.reportedModel(location, token);
    const { config } = this.ctx;
    const described = describeLanguageModel({ location, model, modelPath: config.modelPath, contextSize: config.contextSize, maxTokens: config.chat.maxTokens });
    return described ? [described] : [];
  }

  async provideLanguageModelChatResponse(
    model: LmModelDescription,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
      const result = await answerLmRequest(
        this.engine,
        {
          messages: messages.map(toLmMessage),
          tools: options.tools?.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
          toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? "required" : "auto",
          ...lmGenerationLimits(options.modelOptions, model),
          grammarSafeTools: this.location().kind === "local",
        },
        {
          text: (chunk) => progress.report(new vscode.LanguageModelTextPart(chunk)),
          toolCall: (call) => progress.report(new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)),
        },
        controller.signal,
      );
      if (result) this.ctx.log.info(`language model: ${result.metrics.promptTokens} prompt tokens, ${result.metrics.generatedTokens} generated, ${result.stopReason}`);
    } catch (error) {
      const message = error instanceof LmRequestError ? error.message : `DeepSeek Local: ${(error as Error).message}`;
      this.ctx.log.warn(`language model: ${message}`);
      throw new vscode.LanguageModelError(message);
    } finally {
      cancel.dispose();
    }
  }

  async provideTokenCount(_model: LmModelDescription, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    const input = typeof text === "string" ? text : toLmMessage(text);
    try {
      return await this.tokens.count(input);
    } catch {
      // The engine could not count (not loaded, crashed): the client estimate keeps the caller going.
      return estimateTokens(typeof input === "string" ? input : input.parts.map((part) => JSON.stringify(part)).join(""));
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  private location(): ChatLocation {
    const settings = this.ctx.config.backends;
    return settings.backends.chat === "remote" ? { kind: "remote", baseUrl: settings.servers.chat?.baseUrl ?? settings.remote?.baseUrl } : { kind: "local" };
  }

  /** The loaded local model (never loaded just to be listed), or the chat server's description. */
  private async reportedModel(location: ChatLocation, token: vscode.CancellationToken): Promise<ModelInfo | undefined> {
    if (location.kind === "local") {
      const state = this.ctx.supervisor.state;
      return state.kind === "ready" ? state.model : undefined;
    }
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    const timer = setTimeout(() => controller.abort(), describeTimeoutMs);
    try {
      return await this.engine.modelInfo(controller.signal);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
  }
}
