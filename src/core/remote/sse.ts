// An incremental parser for server-sent events (the WHATWG "event stream" format) as OpenAI-style
// servers stream answers: bytes arrive in arbitrary pieces, and an event is complete only at its
// blank line. Pure: the transport feeds decoded text in and gets whole events out.

export interface SseEvent {
  /** `event:` field; "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  id?: string;
  /** `retry:` field in ms, when the server sent a valid one. */
  retryMs?: number;
}

export class SseParser {
  private buffer = "";
  private started = false;
  private dataLines: string[] = [];
  private eventName = "";
  private eventId: string | undefined;
  private retryMs: number | undefined;
  private hasFields = false;

  /** Feeds decoded text; returns the events completed by it, in order. */
  push(text: string): SseEvent[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = lineEnd(this.buffer);
      if (!end) break;
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end.length);
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * The stream ended. Per the spec an unterminated last event is dropped; we report whether one was
   * pending, because for a chat stream that means the answer was cut off.
   */
  end(): { events: SseEvent[]; truncated: boolean } {
    // A CR held back as a possible half of CRLF is a line end after all.
    const events = this.buffer.endsWith("\r") ? this.push("\n") : [];
    const truncated = this.hasFields || this.buffer.trim().length > 0;
    this.buffer = "";
    this.resetEvent();
    return { events, truncated };
  }

  private processLine(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined; // comment / keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.dataLines.push(value);
        this.hasFields = true;
        break;
      case "event":
        this.eventName = value;
        this.hasFields = true;
        break;
      case "id":
        if (!value.includes("\0")) this.eventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    if (this.dataLines.length === 0) {
      // An event with no data is not dispatched; `event:` alone only sets a name for nothing.
      this.resetEvent();
      return undefined;
    }
    const event: SseEvent = { event: this.eventName || "message", data: this.dataLines.join("\n") };
    if (this.eventId !== undefined) event.id = this.eventId;
    if (this.retryMs !== undefined) event.retryMs = this.retryMs;
    this.resetEvent();
    return event;
  }

  private resetEvent(): void {
    this.dataLines = [];
    this.eventName = "";
    this.hasFields = false;
  }
}

/** The first line terminator (CRLF, LF or CR). A CR at the very end may be half of a CRLF: wait. */
function lineEnd(buffer: string): { index: number; length: number } | undefined {
  const lf = buffer.indexOf("\n");
  const cr = buffer.indexOf("\r");
  if (cr === -1 && lf === -1) return undefined;
  if (cr !== -1 && (lf === -1 || cr < lf)) {
    if (cr === buffer.length - 1) return undefined;
    return { index: cr, length: buffer[cr + 1] === "\n" ? 2 : 1 };
  }
  return { index: lf, length: 1 };
}
