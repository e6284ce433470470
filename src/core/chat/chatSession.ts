// The chat's state on the host: the open conversation, attachments waiting for the next message,
// the turn being generated. It outlives the webview (which VS Code destroys when the view is
// hidden): a turn keeps streaming into the conversation, and a new page gets the whole state on
// `ready`.
import { randomUUID } from "node:crypto";
import type { ChatEngine, ChatMessage, ToolCall } from "../engine/chatEngine.js";
import type { ToolDefinition } from "../engine/chatEngine.js";
import { defaultPrivacySettings, type PrivacySettings } from "../privacy/secretPaths.js";
import { describeChatLocation, type ChatLocation } from "./chatLocation.js";
import { runChatTurn, type ToolRunner } from "./chatTurn.js";
import { ContextWindowError, TokenCounter, fitToContext, fitToolResult, messageText, messageTokens } from "./contextWindow.js";
import {
  newConversation,
  summarize,
  titleFromQuestion,
  toChatMessages,
  type Attachment,
  type ChatEntry,
  type Conversation,
  type ConversationSummary,
} from "./conversation.js";
import type { ConversationStore } from "./conversationStore.js";
import { estimateTokens } from "./tokenEstimate.js";
import { toolStepInstructions } from "./toolStep.js";
import { WorkspaceTools, workspaceToolDefinitions } from "./workspaceTools.js";
import { ReadLedger } from "./readLedger.js";
import { AgentTools, type AgentEditor } from "../agent/agentTools.js";
import { withExternalTools } from "../languageModel/externalTools.js";
import { EngineError, type GenerateResult } from "../../protocol/engine.js";
import type { ChatViewState, HostMessage, SlashCommand } from "../../protocol/webview.js";

export interface ChatSessionOptions {
  engine: ChatEngine;
  store: ConversationStore;
  settings: () => ChatSettings;
  workspaceFolders: () => string[];
  /** Remembers which conversation was open across window reloads. */
  currentId: { get(): string | undefined; set(id: string): PromiseLike<void> };
  post: (message: HostMessage) => void;
  log: (line: string) => void;
  /** Which files the tools may read (secret-looking ones only on the user's opt-in). */
  privacy?: () => PrivacySettings;
  /** Where the chat's backend runs, told to the user on the page. */
  location?: () => ChatLocation;
  /** The refactor actions the composer's `/` menu offers. */
  slashCommands?: () => SlashCommand[];
  /** The editor's side of the edit tools (review and apply change sets, run commands); without it chat only reads. */
  agent?: AgentEditor;
  /** Other extensions' tools the user enabled (deepseekLocal.chat.externalTools), offered with ours. */
  externalTools?: () => ToolRunner | undefined;
}

export interface ChatSettings {
  systemPrompt: string;
  maxTokens: number;
  /** The reading tools. */
  tools: boolean;
  /** The edit tools (propose_edits, run_command), on top of the reading ones; off unless set. */
  editTools?: boolean;
  /** Tool steps in one turn before the model must answer (3 unless set). */
  maxSteps?: number;
  /** Tokens one turn may generate over all its steps (unbounded unless set). */
  maxTurnTokens?: number;
}

/** Tokens kept free besides the answer: rounding of per-message overheads, stop strings. */
const contextSafetyTokens = 64;
const newId = () => randomUUID().replace(/-/g, "").slice(0, 16);

export class ChatSession {
  private conversation: Conversation = newConversation(newId(), Date.now());
  private history: ConversationSummary[] = [];
  private pending: Attachment[] = [];
  /** The most tokens the next message (its attachments) may take, known once a turn has been fitted. */
  private attachmentBudget: number | null = null;
  private running: { controller: AbortController; entryId: string; done: Promise<void> } | undefined;
  private modelLabel = "DeepSeek Local";
  private readonly counter: TokenCounter;
  /** What read_file showed the model in this conversation (an edit of a file changed since is refused). */
  private ledger = new ReadLedger();

  constructor(private readonly options: ChatSessionOptions) {
    this.counter = new TokenCounter(async (text) => {
      try {
        return (await options.engine.tokenize(text)).length;
      } catch (error) {
        // A server without a tokenizer (the DeepSeek API, SGLang, any OpenAI-compatible server):
        // count on the client instead (issue 20).
        if (error instanceof EngineError && error.code === "remoteUnsupported") return null;
        throw error;
      }
    });
  }

  async restore(): Promise<void> {
    this.history = await this.options.store.list();
    const id = this.options.currentId.get();
    const saved = id ? await this.options.store.load(id) : undefined;
    if (saved) this.conversation = saved;
  }

  get state(): ChatViewState {
    return {
      conversation: this.conversation,
      history: this.history,
      pending: this.pending,
      streamingEntryId: this.running?.entryId ?? null,
      modelLabel: this.modelLabel,
      location: describeChatLocation(this.options.location?.() ?? { kind: "local" }),
      attachmentBudget: this.attachmentBudget,
      slashCommands: this.options.slashCommands?.() ?? [],
    };
  }

  /** Settings that the page shows (where the chat runs) changed. */
  settingsChanged(): void {
    this.publish();
  }

  get busy(): boolean {
    return !!this.running;
  }

  get current(): Conversation {
    return this.conversation;
  }

  private publish(): void {
    this.options.post({ type: "state", state: this.state });
  }

  attach(attachment: Attachment): void {
    // Every chip says what it costs; providers count their own, a selection or file is counted here.
    this.pending = [...this.pending, { ...attachment, tokens: attachment.tokens ?? estimateTokens(attachment.text) }];
    this.publish();
    this.options.post({ type: "focusInput" });
  }

  removeAttachment(index: number): void {
    this.pending = this.pending.filter((_, i) => i !== index);
    this.publish();
  }

  async stop(): Promise<void> {
    this.running?.controller.abort();
    await this.running?.done;
  }

  async newChat(): Promise<void> {
    await this.stop();
    if (this.conversation.entries.length) this.conversation = newConversation(newId(), Date.now());
    this.pending = [];
    this.ledger = new ReadLedger();
    await this.options.currentId.set(this.conversation.id);
    this.publish();
  }

  async open(id: string): Promise<void> {
    const loaded = await this.options.store.load(id);
    if (!loaded) throw new Error("That conversation could not be read; it may have been deleted.");
    await this.stop();
    this.conversation = loaded;
    this.ledger = new ReadLedger();
    await this.options.currentId.set(id);
    this.publish();
  }

  async rename(id: string, title: string): Promise<void> {
    const conversation = id === this.conversation.id ? this.conversation : await this.options.store.load(id);
    if (!conversation) return;
    conversation.title = title.trim() || conversation.title;
    await this.save(conversation);
  }

  async remove(id: string): Promise<void> {
    if (id === this.conversation.id) {
      await this.stop();
      this.conversation = newConversation(newId(), Date.now());
    }
    await this.options.store.remove(id);
    this.history = this.history.filter((summary) => summary.id !== id);
    this.publish();
  }

  private async save(conversation = this.conversation): Promise<void> {
    conversation.updatedAt = Date.now();
    if (!conversation.entries.length) return;
    await this.options.store.save(conversation);
    this.history = [summarize(conversation), ...this.history.filter((summary) => summary.id !== conversation.id)];
    if (conversation === this.conversation) await this.options.currentId.set(conversation.id);
    this.publish();
  }

  /** Sends the user's message with the pending attachments and streams the answer. */
  async send(text: string): Promise<void> {
    if (this.running || (!text.trim() && !this.pending.length)) return;
    const user: ChatEntry = { id: newId(), role: "user", content: text.trim(), ...(this.pending.length ? { attachments: this.pending } : {}) };
    if (!this.conversation.entries.length) this.conversation.title = titleFromQuestion(text || this.pending[0]!.label);
    this.conversation.entries.push(user);
    this.pending = [];
    await this.generate({});
  }

  /** Continues the last answer from its text, or from an edited start (chat prefix completion). */
  async continueAnswer(entryId: string, prefix?: string): Promise<void> {
    const entries = this.conversation.entries;
    const last = entries[entries.length - 1];
    if (this.running || !last || last.id !== entryId || last.role !== "assistant" || last.toolCalls?.length) return;
    await this.generate({ prefix: prefix ?? last.content, continued: last });
  }

  /** Generates the next answer, or (`continued`) continues the last one from `prefix`. */
  private async generate({ prefix, continued }: { prefix?: string; continued?: ChatEntry }): Promise<void> {
    const controller = new AbortController();
    const settings = this.options.settings();
    const entries = this.conversation.entries;
    let answer: ChatEntry = continued ?? { id: newId(), role: "assistant", content: "" };
    let finish!: () => void;
    this.running = { controller, entryId: answer.id, done: new Promise((resolve) => (finish = resolve)) };
    try {
      const toolSet = settings.tools && !prefix ? this.toolSet(settings) : undefined;
      const toolDefinitions = toolSet?.definitions;
      const fit = await this.fit(settings, continued ? entries.slice(0, -1) : entries, toolDefinitions);
      if (continued) {
        Object.assign(answer, { content: prefix ?? "", stopReason: undefined, metrics: undefined, reasoning: undefined });
      } else {
        if (fit.notice) entries.push({ id: newId(), role: "notice", content: fit.notice });
        entries.push(answer);
      }
      this.publish();
      const tools = toolSet ? this.toolRunner(toolSet, fit.budget - fit.promptTokens) : undefined;
      const outcome = await runChatTurn(
        this.options.engine,
        {
          messages: fit.messages,
          tools,
          maxToolRounds: settings.maxSteps,
          maxTurnTokens: settings.maxTurnTokens,
          assistantPrefix: prefix || undefined,
          maxTokens: settings.maxTokens,
          signal: controller.signal,
        },
        {
          onText: (chunk) => {
            answer.content += chunk;
            this.options.post({ type: "chunk", entryId: answer.id, text: chunk });
          },
          onReasoning: (chunk) => {
            answer.reasoning = (answer.reasoning ?? "") + chunk;
            this.options.post({ type: "reasoning", entryId: answer.id, text: chunk });
          },
          onToolCall: (call) => this.showToolCall(answer, call),
          onToolResult: (call, result) => {
            entries.push({ id: newId(), role: "tool", content: result.content, toolCallId: call.id, toolName: call.name, toolOk: result.ok });
            answer = { id: newId(), role: "assistant", content: "" };
            entries.push(answer);
            this.running!.entryId = answer.id;
            this.publish();
          },
        },
      );
      this.finishAnswer(answer, outcome.answer);
      // One request whose whole prompt we counted: the server's count of it corrects our estimate.
      if (outcome.added.length === 1 && !prefix) this.calibrate(fit, outcome.answer.metrics.promptTokens, toolDefinitions);
    } catch (error) {
      this.failAnswer(answer, error);
    } finally {
      this.running = undefined;
      finish();
      await this.save().catch((error: Error) => this.options.log(`chat: saving the conversation failed: ${error.message}`));
      this.publish();
    }
  }

  /**
   * The conversation as model messages, trimmed to the model's context by token count, and the
   * budget it was fitted to: the context less the answer, a margin, and the tools' instructions.
   */
  private async fit(settings: { systemPrompt: string; maxTokens: number }, entries: ChatEntry[], tools: readonly ToolDefinition[] | undefined) {
    const model = await this.options.engine.modelInfo();
    this.modelLabel = `${model.name ?? "DeepSeek"}${model.synthetic ? " (random-weights demo)" : ""}`;
    const toolTokens = tools ? await this.counter.count(toolStepInstructions(tools)) : 0;
    const budget = model.contextSize - Math.min(settings.maxTokens, Math.floor(model.contextSize / 2)) - contextSafetyTokens - toolTokens;
    // The system prompt is always kept: the user's message (its attachments) has the rest at most.
    this.attachmentBudget = budget - (settings.systemPrompt.trim() ? await messageTokens(this.counter, { role: "system", content: settings.systemPrompt.trim() }) : 0);
    return { ...(await fitToContext(toChatMessages({ ...this.conversation, entries }, settings.systemPrompt), budget, this.counter)), budget };
  }

  private calibrate(fit: { messages: ChatMessage[] }, reported: number, tools: readonly ToolDefinition[] | undefined): void {
    const texts = fit.messages.map(messageText);
    if (tools) texts.push(toolStepInstructions(tools));
    this.counter.calibrate(reported, texts, fit.messages.length);
  }

  /** The tools of one turn: reading ones, the edit tools where the settings and the editor allow them, and the external ones the user enabled. */
  private toolSet(settings: ChatSettings): ToolRunner {
    const workspace = new WorkspaceTools(this.options.workspaceFolders(), undefined, undefined, this.options.privacy?.() ?? defaultPrivacySettings, this.ledger);
    const own: ToolRunner = settings.editTools && this.options.agent ? new AgentTools(workspace, this.ledger, this.options.agent) : { definitions: workspaceToolDefinitions, run: (call) => workspace.run(call) };
    return withExternalTools(own, this.options.externalTools?.());
  }

  /**
   * The tools for one turn. Each result is cut to what is left of the context (`room` tokens after
   * the prompt), so that one large file cannot make the turn fail (issue 19, item 11).
   */
  private toolRunner(tools: ToolRunner, room: number): ToolRunner {
    let left = room;
    return {
      definitions: tools.definitions,
      run: async (call: ToolCall, signal?: AbortSignal) => {
        const result = await tools.run(call, signal);
        left -= await messageTokens(this.counter, { role: "assistant", content: "", toolCalls: [call] });
        const fitted = await fitToolResult(result.content, left, this.counter);
        left -= fitted.tokens;
        if (fitted.cut) this.options.log(`chat: the ${call.name} result was cut to fit the context window (${left + fitted.tokens} tokens were left)`);
        return { ok: result.ok, content: fitted.content };
      },
    };
  }

  private showToolCall(answer: ChatEntry, call: ToolCall): void {
    answer.toolCalls = [...(answer.toolCalls ?? []), call];
    this.options.post({ type: "entry", entry: answer });
  }

  private finishAnswer(answer: ChatEntry, result: GenerateResult): void {
    answer.stopReason = result.stopReason;
    const m = result.metrics;
    answer.metrics = {
      promptTokens: m.promptTokens,
      reusedTokens: m.reusedTokens,
      evaluatedTokens: m.evaluatedTokens,
      generatedTokens: m.generatedTokens,
      firstTokenMs: m.firstTokenMs,
      ...(m.serverCache ? { serverCache: m.serverCache } : {}),
    };
    this.options.log(`chat: ${m.promptTokens} prompt tokens (${m.reusedTokens} reused, ${m.evaluatedTokens} evaluated), ${m.generatedTokens} generated, ${result.stopReason}`);
  }

  private failAnswer(answer: ChatEntry, error: unknown): void {
    const entries = this.conversation.entries;
    if (error instanceof EngineError && error.code === "cancelled") {
      answer.stopReason = "aborted";
      return;
    }
    // A turn that produced nothing leaves no empty answer behind; the user's message stays.
    if (!answer.content && !answer.toolCalls?.length) {
      const index = entries.indexOf(answer);
      if (index >= 0) entries.splice(index, 1);
    } else {
      answer.stopReason = "error";
    }
    const message = error instanceof ContextWindowError || error instanceof EngineError ? error.message : `The chat failed: ${(error as Error).message}`;
    this.options.log(`chat: ${message}`);
    this.options.post({ type: "error", message });
  }
}
