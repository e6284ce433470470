// Some servers (llama-server) repeat a continued assistant prefix at the start of the answer, others
// (vLLM, the DeepSeek API) send only the continuation. The local engine returns only the
// continuation, so the echo is dropped as it streams in.

export class EchoedPrefixStripper {
  private held = "";
  private deciding: boolean;

  constructor(private readonly prefix: string) {
    this.deciding = prefix.length > 0;
  }

  /** Returns what may be shown of `chunk`; holds text back while it could still be the echo. */
  push(chunk: string): string {
    if (!this.deciding) return chunk;
    this.held += chunk;
    if (this.held.length < this.prefix.length && this.prefix.startsWith(this.held)) return "";
    this.deciding = false;
    const text = this.held.startsWith(this.prefix) ? this.held.slice(this.prefix.length) : this.held;
    this.held = "";
    return text;
  }
}
