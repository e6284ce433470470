// Which sequences serve each client window of the loaded model. Every window has a ghost-text
// sequence of its own (a context of one sequence, made on its first request), so one window's
// typing never evicts another's KV. Chat and refactors use one pair of sequences shared by all
// windows, as llama-server's slots are shared: at real size a pair costs what a window's ghost
// text costs twice over (8,192 tokens of MLA latent each), and a user chats in one window at a
// time. A window whose chat or refactor finds the shared pair busy with another window's request
// gets a pair of its own then, kept while it stays, so nobody waits for another window's answer.
import type { LlamaContext } from "node-llama-cpp";
import type { SequenceName } from "../protocol/engine.js";
import type { SequenceRunner } from "./sequenceRunner.js";

/** A context and a runner on each of its sequences. */
export interface MadeContext {
  context: LlamaContext;
  runners: SequenceRunner[];
}

/** Makes a context of `sequences` sequences; `foreground`: its first sequence is ghost text's. */
export type ContextMaker = (sequences: number, foreground: boolean) => Promise<MadeContext>;

type BackgroundName = Exclude<SequenceName, "completion">;
const backgroundNames: readonly BackgroundName[] = ["chat", "refactor"];

interface WindowSet {
  /** Its ghost-text sequence: a context of its own, made on its first completion request. */
  completion?: Promise<MadeContext>;
  /** Chat and refactor sequences of its own: made when the shared ones were busy with another window's request. */
  background?: Promise<MadeContext>;
}

export class WindowSequences {
  private readonly windows: (WindowSet | undefined)[];
  /** The shared chat and refactor runners (runners 1 and 2 of the first context). */
  private readonly shared: MadeContext;
  /** Requests in flight on the shared pair, by window. */
  private readonly sharedInFlight = new Map<number, number>();

  constructor(
    /** The context made at load: ghost text of window 0, then the shared chat and refactor sequences. */
    private readonly first: MadeContext,
    private readonly make: ContextMaker,
    private readonly onWarning: (message: string) => void,
  ) {
    this.windows = [{ completion: Promise.resolve({ context: first.context, runners: [first.runners[0]!] }) }];
    this.shared = { context: first.context, runners: first.runners.slice(1) };
  }

  /** Runs `task` on window `index`'s runner for `name`; a window's first ghost-text request makes its context. */
  async run<T>(index: number, name: SequenceName, task: (runner: SequenceRunner) => Promise<T>): Promise<T> {
    const window = (this.windows[index] ??= {});
    if (name === "completion") {
      window.completion ??= this.makeOrShare(1, true, () => this.windows[0]!.completion!);
      return task((await window.completion).runners[0]!);
    }
    const position = backgroundNames.indexOf(name);
    if (!window.background && this.busyForOthers(index)) window.background = this.makeOrShare(2, false, () => Promise.resolve(this.shared));
    if (window.background) return task((await window.background).runners[position]!);
    this.sharedInFlight.set(index, (this.sharedInFlight.get(index) ?? 0) + 1);
    try {
      return await task(this.shared.runners[position]!);
    } finally {
      const left = this.sharedInFlight.get(index)! - 1;
      if (left) this.sharedInFlight.set(index, left);
      else this.sharedInFlight.delete(index);
    }
  }

  private busyForOthers(index: number): boolean {
    for (const user of this.sharedInFlight.keys()) if (user !== index) return true;
    return false;
  }

  private async makeOrShare(sequences: number, foreground: boolean, fallback: () => Promise<MadeContext>): Promise<MadeContext> {
    try {
      return await this.make(sequences, foreground);
    } catch (error) {
      // Out of memory for more KV: this window shares rather than failing (each may evict the other's prompt).
      this.onWarning(`Another window's sequences did not fit in memory (${(error as Error).message}); that window shares the first window's.`);
      return fallback();
    }
  }

  /** The runners window `index` has now, by feature (status asks: nothing is made). */
  async runnersOf(index: number): Promise<Partial<Record<SequenceName, SequenceRunner>>> {
    const window = this.windows[index];
    if (!window) return {};
    const background = window.background ? await window.background : this.shared;
    const completion = window.completion && (await window.completion).runners[0]!;
    return { ...(completion ? { completion } : {}), chat: background.runners[0]!, refactor: background.runners[1]! };
  }

  /** Frees window `index`'s contexts (no client uses it); the next window to take it makes new ones. */
  async free(index: number): Promise<void> {
    const window = this.windows[index];
    if (!window) return;
    // Forgotten first, synchronously: a window taking the index from now on makes fresh contexts.
    // Window 0's ghost text lives in the first context, which stays for the next window.
    const owned = index === 0 ? [window.background] : [window.completion, window.background];
    if (index === 0) delete window.background;
    else delete this.windows[index];
    for (const made of owned) {
      const context = made && (await made).context;
      if (context && context !== this.first.context) await context.dispose();
    }
  }

  /** Every context made so far, each once (a window that could not get its own shares another's). */
  async contexts(): Promise<MadeContext[]> {
    const made = await Promise.all(this.windows.flatMap((window) => (window ? [window.completion, window.background] : [])).filter((p) => p !== undefined));
    const byContext = new Map<LlamaContext, MadeContext>([[this.first.context, this.first]]);
    for (const m of made) if (!byContext.has(m.context)) byContext.set(m.context, m);
    return [...byContext.values()];
  }

  async allRunners(): Promise<SequenceRunner[]> {
    return (await this.contexts()).flatMap((made) => made.runners);
  }
}
