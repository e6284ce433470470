// An incremental parser for newline-delimited JSON, the stream format of Ollama's native API
// (/api/generate, /api/chat): one JSON object per line, no `data:` prefix, no [DONE]. Pure: the
// transport feeds decoded text in and gets whole lines out.

export class NdjsonParser {
  private buffer = "";

  /** Feeds decoded text; returns the complete, non-blank lines it finished, in order. */
  push(text: string): string[] {
    this.buffer += text;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    return lines.map((line) => line.trim()).filter((line) => line.length > 0);
  }

  /** The stream ended: a last line without its newline is complete only if it is whole JSON. */
  end(): { lines: string[]; truncated: boolean } {
    const rest = this.buffer.trim();
    this.buffer = "";
    if (!rest) return { lines: [], truncated: false };
    try {
      JSON.parse(rest);
      return { lines: [rest], truncated: false };
    } catch {
      return { lines: [], truncated: true };
    }
  }
}
