// Stop detection for one generation, in one place: the text the answer may show (held back while
// it could still be the start of a stop string, cut at the end of a schema-constrained JSON value)
// and the reason generation ends. The generation loop asks it after each piece of text and each
// token; it never touches the model.
import { JsonEndTracker } from "../core/generation/jsonEnd.js";
import { LineLimit } from "../core/generation/lineLimit.js";
import { StopStringScanner } from "../core/generation/textStream.js";
import type { StopReason } from "../protocol/engine.js";

export interface StopConditions {
  stopStrings: readonly string[];
  maxTokens: number;
  /** Lines the answer may have: it ends before the line break after the last one (`lineLimit`). */
  maxLines?: number;
  /** Wall-clock cap on the whole request, from `startedAt`. */
  timeoutMs?: number;
  startedAt: number;
  /** The answer is one JSON value (a schema grammar): it is complete when that value closes. */
  json: boolean;
  signal: AbortSignal;
  now?: () => number;
}

export class StopDetector {
  private readonly scanner: StopStringScanner;
  private readonly jsonEnd: JsonEndTracker | undefined;
  private readonly lines: LineLimit | undefined;
  private readonly deadline: number;
  private readonly now: () => number;
  private reason: StopReason | null = null;
  /** The JSON value closed: the answer is complete, whatever else ends the loop. */
  private jsonClosed = false;
  private text = "";

  constructor(
    private readonly conditions: StopConditions,
    private readonly onText?: (text: string) => void,
  ) {
    this.scanner = new StopStringScanner(conditions.stopStrings);
    this.jsonEnd = conditions.json ? new JsonEndTracker() : undefined;
    this.lines = conditions.maxLines ? new LineLimit(conditions.maxLines) : undefined;
    this.deadline = conditions.timeoutMs ? conditions.startedAt + conditions.timeoutMs : Infinity;
    this.now = conditions.now ?? (() => performance.now());
  }

  /** Whether generation must end now. */
  get stopped(): boolean {
    return this.reason !== null || this.jsonClosed;
  }

  /** Why generation ended: `eos` when nothing else ended it (the model's end token, a closed JSON value). */
  get stopReason(): StopReason {
    return this.reason ?? "eos";
  }

  /** The answer's text, as emitted so far. */
  get answer(): string {
    return this.text;
  }

  /** Before the first token: a request already cancelled, or one with no room to generate. */
  stopsBeforeStart(): boolean {
    if (this.conditions.signal.aborted) this.reason = "aborted";
    else if (this.conditions.maxTokens === 0) this.reason = "maxTokens";
    return this.stopped;
  }

  /** Decoded text, sampled or forced by the schema: emitted up to a stop string or the end of the JSON value. */
  pushText(piece: string): boolean {
    const scan = this.scanner.push(piece);
    this.emit(scan.emit);
    if (this.lines?.reached) this.reason = "lineLimit";
    else if (scan.stopped) this.reason = "stopString";
    return this.stopped;
  }

  /** After each sampled token: cancellation, the token limit and the deadline. */
  checkLimits(generatedTokens: number): boolean {
    if (this.conditions.signal.aborted) this.reason = "aborted";
    else if (generatedTokens >= this.conditions.maxTokens) this.reason = "maxTokens";
    else if (this.now() > this.deadline) this.reason = "timeout";
    return this.stopped;
  }

  /** Generation ended: `rest` (text of tokens that had not completed a character) and what was held back are the answer's end. */
  finish(rest: string): void {
    if (this.reason === "stopString") return;
    if (rest) this.emit(this.scanner.push(rest).emit);
    this.emit(this.scanner.flush());
  }

  private emit(chunk: string): void {
    if (this.lines) chunk = this.lines.push(chunk);
    if (!chunk || this.jsonClosed) return;
    if (this.jsonEnd?.push(chunk)) {
      this.jsonClosed = true;
      chunk = chunk.slice(0, chunk.length - (this.text.length + chunk.length - this.jsonEnd.end!));
    }
    this.text += chunk;
    this.onText?.(chunk);
  }
}
