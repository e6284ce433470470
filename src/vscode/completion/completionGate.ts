// Whether ghost text may show now, and why not: the settings, a snooze, the language, VS Code's
// inline suggestions and the backend, read at the moment of asking (core/completion/
// completionAvailability.ts decides). Holds the snooze and says when it ends.
import * as vscode from "vscode";
import { completionAvailability, type Availability } from "../../core/completion/completionAvailability.js";
import { SnoozeClock } from "../../core/completion/snooze.js";
import type { EngineSupervisor } from "../../supervisor/engineSupervisor.js";
import type { Config } from "../config.js";
import { isLanguageEnabled } from "./inlineProvider.js";

/** What the gate reads: settings and the engine's state. */
export interface GateContext {
  config: Config;
  supervisor: Pick<EngineSupervisor, "state">;
}

export class CompletionGate implements vscode.Disposable {
  readonly snooze = new SnoozeClock();
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly ctx: GateContext) {}

  /** Called when the snooze starts or ends (the status bar says it). */
  onDidChange(listener: () => void): vscode.Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  snoozeFor(minutes: number): number {
    const until = this.snooze.snooze(minutes);
    clearTimeout(this.wakeTimer);
    // A little after the end, so the clock reads "not snoozed" when the listeners ask.
    this.wakeTimer = setTimeout(() => this.changed(), until - Date.now() + 50);
    this.changed();
    return until;
  }

  resume(): void {
    clearTimeout(this.wakeTimer);
    this.snooze.resume();
    this.changed();
  }

  /** Whether ghost text may show in a document of `languageId` now (undefined: no editor). */
  availability(languageId: string | undefined, scope?: vscode.TextDocument): Availability {
    const completion = this.ctx.config.completion;
    const backends = this.ctx.config.backends;
    const state = this.ctx.supervisor.state.kind;
    return completionAvailability({
      enabled: completion.enabled,
      languageId,
      languageEnabled: languageId === undefined || isLanguageEnabled(completion.languages, languageId),
      snoozedUntil: this.snooze.until,
      inlineSuggestEnabled: this.ctx.config.inlineSuggestEnabled(scope),
      backend: backends.backends.completion,
      engine: state,
      // A running engine has a model, whatever the settings say now.
      modelConfigured: state === "ready" || this.ctx.config.modelPath !== "",
      remoteProblem: backends.servers.completion ? undefined : (backends.problems.completion ?? backends.problem),
    });
  }

  isActive(languageId: string): boolean {
    return this.availability(languageId).on;
  }

  dispose(): void {
    clearTimeout(this.wakeTimer);
    this.listeners.clear();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
