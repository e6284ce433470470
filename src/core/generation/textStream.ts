// Turns generated text into safely emittable chunks: stop strings end the answer and are never
// shown, even when they arrive split across tokens.

export interface StopScan {
  /** Text that can be shown now. */
  emit: string;
  /** Set when a stop string was found: everything from it on is dropped. */
  stopped: boolean;
}

/** Incremental stop-string detector; holds back any tail that could still become a stop string. */
export class StopStringScanner {
  private pending = "";
  private done = false;

  constructor(private readonly stopStrings: readonly string[]) {}

  push(chunk: string): StopScan {
    if (this.done) return { emit: "", stopped: true };
    this.pending += chunk;
    let firstStop = -1;
    for (const stop of this.stopStrings) {
      const at = this.pending.indexOf(stop);
      if (at !== -1 && (firstStop === -1 || at < firstStop)) firstStop = at;
    }
    if (firstStop !== -1) {
      this.done = true;
      const emit = this.pending.slice(0, firstStop);
      this.pending = "";
      return { emit, stopped: true };
    }
    const hold = this.longestStopPrefixAtEnd();
    const emit = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { emit, stopped: false };
  }

  /** What was held back, released when generation ends without a stop string. */
  flush(): string {
    const rest = this.done ? "" : this.pending;
    this.pending = "";
    return rest;
  }

  private longestStopPrefixAtEnd(): number {
    let longest = 0;
    for (const stop of this.stopStrings) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > longest; length--) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}

/** True when detokenized text ends inside a multi-byte character that the next token completes. */
export function endsWithIncompleteCharacter(text: string): boolean {
  return text.endsWith("\uFFFD");
}

/**
 * Text chunks handed on once per event-loop turn: a token's text is sent after the engine has
 * queued the next decode (which happens in the same turn), so sending it is off the token's
 * critical path; chunks that arrive in one turn go as one.
 */
export class TurnBatchedText {
  private buffered = "";
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(private readonly send: (text: string) => void) {}

  push(text: string): void {
    this.buffered += text;
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends what is buffered now (before the request's result, so no text comes after it). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (!this.buffered) return;
    const text = this.buffered;
    this.buffered = "";
    this.send(text);
  }
}
