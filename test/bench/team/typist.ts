// One simulated typist: the extension's real completion code (CompletionPipeline over HttpEngine,
// default settings) driven the way VS Code and the extension drive it for a remote backend, with
// the editor replaced by a script (typistSchedule.ts) on real timers:
// - VS Code asks for a suggestion 50 ms after a key (its debounce) and cancels that ask on the next
//   key or cursor move; the pipeline's request goes on until the next ask for another position
//   cancels it (registerCompletion.ts starts requests on the keystroke only for the local engine);
// - a shown suggestion is passed to `suggestionShown` (the speculative request), and one that grows
//   is asked for again (inlineProvider.ts);
// - switching files cancels, and 1.2 s after the last edit or move the edited lines join the extra
//   context and the prompt is warmed up (`refreshContext`: an `n_predict: 0` request), as
//   extraContextFeed.ts does.
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput, type PipelineCounters } from "../../../src/core/completion/completionPipeline";
import { chunkAround } from "../../../src/core/completion/extraContextRing";
import type { CompletionEngine } from "../../../src/core/engine/completionEngine";
import type { KeystrokeRecord } from "./latency";
import type { TypistDocument, TypistEvent, TypistScript } from "./typistSchedule";

/** VS Code asks the inline-completion provider this long after a key. */
export const EDITOR_DEBOUNCE_MS = 50;
/** extraContextFeed.ts: idle time before the ring is refreshed and the prompt warmed up, and chunk size. */
const IDLE_MS = 1200;
const CHUNK_LINES = 24;

export interface TypistResult {
  records: KeystrokeRecord[];
  counters: PipelineCounters;
}

interface OpenDocument extends TypistDocument {
  text: string;
  offset: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length - 1;
}

/** The chunk extraContextFeed.ts offers for `line`: up to 24 lines either side, cut to 24 around it. */
function chunkFor(document: OpenDocument, line: number) {
  const lines = document.text.split("\n");
  const start = Math.max(0, line - CHUNK_LINES);
  const text = lines.slice(start, Math.min(lines.length, line + CHUNK_LINES)).join("\n");
  return { filename: document.filename, text: chunkAround(text, line - start, CHUNK_LINES) };
}

/** The editor and the extension's editor edge, for one typist. */
class SimulatedEditor {
  readonly records: KeystrokeRecord[] = [];
  private document: OpenDocument | undefined;
  /** VS Code's ask in flight (its CancellationToken). */
  private ask: AbortController | undefined;
  private askTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private warmup: AbortController | undefined;
  private readonly editedLines = new Map<string, { document: OpenDocument; line: number }>();
  /** The key whose suggestion is on screen, while the typist has not moved. */
  private shown: CompletionInput | undefined;
  private readonly unsubscribe: () => void;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly typist: number,
    readonly pipeline: CompletionPipeline,
  ) {
    this.unsubscribe = pipeline.onSuggestionGrew((position) => {
      // inlineProvider.ts: VS Code is asked again (a command, so a moment later) where the user
      // still is; the cache answers.
      const askAgain = async () => {
        await sleep(0);
        const shown = this.shown;
        if (shown && position.documentId === shown.documentId) await this.requestSuggestion(shown, undefined);
      };
      this.track(askAgain());
    });
  }

  open(neighbour: TypistDocument & { text: string }): void {
    this.pipeline.ring.offer(chunkFor({ ...neighbour, offset: 0 }, 0));
  }

  play(event: TypistEvent): void {
    this.ask?.abort();
    this.shown = undefined;
    clearTimeout(this.askTimer);
    if (event.kind === "open") {
      // A request for the editor the user left is for no one.
      this.pipeline.cancel();
      this.document = { documentId: event.documentId, filename: event.filename, text: event.text, offset: event.offset };
      this.pipeline.ring.offer(chunkFor(this.document, lineOf(event.text, event.offset)));
    } else if (event.kind === "move") {
      this.document!.offset = event.offset;
    } else {
      this.warmup?.abort();
      const document = { ...this.document!, text: event.text, offset: event.offset };
      this.document = document;
      this.editedLines.set(document.documentId, { document, line: event.line });
      const record: KeystrokeRecord = { typist: this.typist, typedAt: performance.now(), lastOfBurst: event.lastOfBurst };
      this.records.push(record);
      const input = this.input();
      this.askTimer = setTimeout(() => this.track(this.requestSuggestion(input, record)), EDITOR_DEBOUNCE_MS);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.track(this.onIdle()), IDLE_MS);
  }

  /** Stops timers and requests, and waits for what is still running. */
  async close(): Promise<void> {
    clearTimeout(this.askTimer);
    clearTimeout(this.idleTimer);
    this.ask?.abort();
    this.warmup?.abort();
    this.unsubscribe();
    this.pipeline.dispose();
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([this.pipeline.requestSettled(), this.pipeline.speculationSettled()]);
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private input(): CompletionInput {
    const document = this.document!;
    return { documentId: document.documentId, filename: document.filename, text: document.text, offset: document.offset, firstLine: 0 };
  }

  /** VS Code's ask: for a key (`record`), or again after a suggestion grew (not a keystroke sample). */
  private async requestSuggestion(input: CompletionInput, record: KeystrokeRecord | undefined): Promise<void> {
    const ask = new AbortController();
    this.ask = ask;
    try {
      const outcome = await this.pipeline.complete({ ...input, explicit: record === undefined }, ask.signal);
      if (!outcome || ask.signal.aborted) return;
      if (record) {
        record.shownAt = performance.now();
        record.source = outcome.source;
      }
      this.shown = input;
      if (outcome.text) this.pipeline.suggestionShown(input, outcome.text);
      if (record?.lastOfBurst && outcome.source === "model") {
        await this.pipeline.requestSettled();
        record.wholeAt = performance.now();
      }
    } catch (error) {
      if (record && !ask.signal.aborted) record.failure = error instanceof Error ? error.message : String(error);
    }
  }

  private async onIdle(): Promise<void> {
    for (const { document, line } of this.editedLines.values()) this.pipeline.ring.offer(chunkFor(document, line));
    this.editedLines.clear();
    this.warmup = new AbortController();
    await this.pipeline.refreshContext(this.document && this.input(), this.warmup.signal).catch(() => false);
  }
}

/** Plays `script` from `startedAt` (performance clock) against `engine`; resolves when its last pause ends. */
export async function runTypist(index: number, script: TypistScript, engine: CompletionEngine, startedAt: number): Promise<TypistResult> {
  const pipeline = new CompletionPipeline(engine, () => defaultCompletionSettings);
  const editor = new SimulatedEditor(index, pipeline);
  try {
    for (const neighbour of script.neighbours) editor.open(neighbour);
    for (const event of script.events) {
      await sleep(startedAt + event.at - performance.now());
      editor.play(event);
    }
    await sleep(startedAt + script.endsAt - performance.now());
  } finally {
    await editor.close();
  }
  return { records: editor.records, counters: { ...pipeline.counters } };
}
