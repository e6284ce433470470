// The line limit as a stop condition: ghost text shows at most N lines, so generation ends at the
// line break after the Nth (left out of the answer) instead of running on to be cut afterwards.
// The local engine and the remote stream reader both apply it to the text they emit.

export class LineLimit {
  private breaks = 0;
  private done = false;

  constructor(private readonly maxLines: number) {}

  get reached(): boolean {
    return this.done;
  }

  /** The part of `chunk` within the limit; after the limit's line break, nothing. */
  push(chunk: string): string {
    if (this.done) return "";
    for (let at = chunk.indexOf("\n"); at >= 0; at = chunk.indexOf("\n", at + 1)) {
      if (++this.breaks >= this.maxLines) {
        this.done = true;
        return chunk.slice(0, at);
      }
    }
    return chunk;
  }
}
