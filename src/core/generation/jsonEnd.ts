// Finds where a streamed JSON value ends. The JSON-schema grammar admits trailing whitespace
// after the closing brace, and a weak model can emit newlines there until the token cap: the
// answer is complete the moment its top-level value closes.

export class JsonEndTracker {
  private depth = 0;
  private started = false;
  private inString = false;
  private escaped = false;
  private length = 0;
  /** Length of the text up to and including the closing bracket, once seen. */
  end: number | null = null;

  /** Feeds the next chunk; returns true once the top-level object or array has closed. */
  push(chunk: string): boolean {
    if (this.end !== null) return true;
    for (let i = 0; i < chunk.length; i++) {
      const char = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === "\\") this.escaped = true;
        else if (char === '"') this.inString = false;
        continue;
      }
      if (char === '"') this.inString = true;
      else if (char === "{" || char === "[") {
        this.depth++;
        this.started = true;
      } else if ((char === "}" || char === "]") && this.started) {
        this.depth--;
        if (this.depth === 0) {
          this.end = this.length + i + 1;
          this.length += chunk.length;
          return true;
        }
      }
    }
    this.length += chunk.length;
    return false;
  }
}
