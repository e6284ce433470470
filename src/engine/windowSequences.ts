// Which sequence serves each client window of the loaded model, per feature. Every window has a
// ghost-text sequence of its own (a context of one sequence, made on its first request), so one
// window's typing never evicts another's KV. Chat and refactors each use one sequence shared by all
// windows, as llama-server's slots are shared: at real size a sequence holds 8,192 tokens of MLA
// latent (~0.24 GiB) and a user chats in one window at a time. A window whose chat (or refactor)
// finds the shared one busy with another window's request gets one of its own then, kept while it
// stays, so nobody waits for another window's answer.
import type { LlamaContext } from "node-llama-cpp";
import type { SequenceName } from "../protocol/engine.js";
import type { SequenceRunner } from "./sequenceRunner.js";

/** A context and a runner on each of its sequences. */
export interface MadeContext {
  context: LlamaContext;
  runners: SequenceRunner[];
}

/** Makes a context of one sequence; `foreground`: it is ghost text's. */
export type ContextMaker = (foreground: boolean) => Promise<MadeContext>;

type SharedName = Exclude<SequenceName, "completion">;
const sharedNames: readonly SharedName[] = ["chat", "refactor"];

/** A window's own sequences, each a context of its own: ghost text on first use, chat and refactor when the shared one was busy. */
type WindowSet = Partial<Record<SequenceName, Promise<MadeContext>>>;

export class WindowSequences {
  private readonly windows: (WindowSet | undefined)[];
  /** The shared chat and refactor runners (runners 1 and 2 of the first context). */
  private readonly shared: Record<SharedName, SequenceRunner>;
  /** Requests in flight on each shared runner, by window. */
  private readonly sharedInFlight: Record<SharedName, Map<number, number>> = { chat: new Map(), refactor: new Map() };

  constructor(
    /** The context made at load: ghost text of window 0, then the shared chat and refactor sequences. */
    private readonly first: MadeContext,
    private readonly make: ContextMaker,
    private readonly onWarning: (message: string) => void,
  ) {
    this.windows = [{ completion: Promise.resolve({ context: first.context, runners: [first.runners[0]!] }) }];
    this.shared = { chat: first.runners[1]!, refactor: first.runners[2]! };
  }

  /** Runs `task` on window `index`'s runner for `name`; a window's first ghost-text request makes its context. */
  async run<T>(index: number, name: SequenceName, task: (runner: SequenceRunner) => Promise<T>): Promise<T> {
    const window = (this.windows[index] ??= {});
    if (name === "completion") {
      window.completion ??= this.makeOrShare(true, async () => (await this.windows[0]!.completion!).runners[0]!);
      return task((await window.completion).runners[0]!);
    }
    if (!window[name] && this.busyForOthers(name, index)) window[name] = this.makeOrShare(false, async () => this.shared[name]);
    const own = window[name];
    if (own) return task((await own).runners[0]!);
    const users = this.sharedInFlight[name];
    users.set(index, (users.get(index) ?? 0) + 1);
    try {
      return await task(this.shared[name]);
    } finally {
      const left = users.get(index)! - 1;
      if (left) users.set(index, left);
      else users.delete(index);
    }
  }

  private busyForOthers(name: SharedName, index: number): boolean {
    for (const user of this.sharedInFlight[name].keys()) if (user !== index) return true;
    return false;
  }

  /** A context of one sequence, or, where it does not fit in memory, `fallback`'s runner (shared: each may evict the other's prompt). */
  private async makeOrShare(foreground: boolean, fallback: () => Promise<SequenceRunner>): Promise<MadeContext> {
    try {
      return await this.make(foreground);
    } catch (error) {
      this.onWarning(`Another window's sequence did not fit in memory (${(error as Error).message}); that window shares the first window's.`);
      return { context: this.first.context, runners: [await fallback()] };
    }
  }

  /** The runners window `index` has now, by feature (status asks: nothing is made). */
  async runnersOf(index: number): Promise<Partial<Record<SequenceName, SequenceRunner>>> {
    const window = this.windows[index];
    if (!window) return {};
    const runners: Partial<Record<SequenceName, SequenceRunner>> = {};
    if (window.completion) runners.completion = (await window.completion).runners[0]!;
    for (const name of sharedNames) runners[name] = window[name] ? (await window[name]).runners[0]! : this.shared[name];
    return runners;
  }

  /** Frees window `index`'s own contexts (no client uses it); the next window to take the index makes new ones. */
  async free(index: number): Promise<void> {
    const window = this.windows[index];
    if (!window) return;
    // Forgotten first, synchronously: a window taking the index from now on makes fresh contexts.
    // Window 0's ghost text lives in the first context, which stays for the next window.
    const owned = index === 0 ? sharedNames.map((name) => window[name]) : Object.values(window);
    if (index === 0) for (const name of sharedNames) delete window[name];
    else delete this.windows[index];
    for (const made of owned) {
      const context = made && (await made).context;
      if (context && context !== this.first.context) await context.dispose();
    }
  }

  /** Every context made so far, each once (a sequence that did not fit shares the first context). */
  async contexts(): Promise<MadeContext[]> {
    const made = await Promise.all(this.windows.flatMap((window) => Object.values(window ?? {})));
    const byContext = new Map<LlamaContext, MadeContext>([[this.first.context, this.first]]);
    for (const m of made) if (!byContext.has(m.context)) byContext.set(m.context, m);
    return [...byContext.values()];
  }

  async allRunners(): Promise<SequenceRunner[]> {
    return (await this.contexts()).flatMap((made) => made.runners);
  }
}
