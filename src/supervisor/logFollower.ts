// Follows a file that another process appends to: a shared engine writes its output (llama.cpp's
// native messages included) to its log file, not to a pipe this window holds, so each window reads
// what is new there to show it in its own output channel as it comes.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

export interface LogFollower {
  /** Reads what is new now, the last unfinished line included. */
  flush(): void;
  stop(): void;
}

const pollMs = 500;
/** At most this much is read a poll: a flood of output is shown late rather than held in memory at once. */
const maxReadBytes = 256 * 1024;

/** Calls `onLines` with the whole lines written to `file` from now on, checking every `intervalMs`. */
export function followLog(file: string, onLines: (text: string) => void, intervalMs = pollMs): LogFollower {
  let offset = sizeOf(file) ?? 0;
  let decoder = new StringDecoder("utf8");
  let partial = "";
  const read = () => {
    const size = sizeOf(file);
    if (size === undefined) return;
    if (size < offset) {
      // Truncated: an engine started since writes a new log.
      offset = 0;
      partial = "";
      decoder = new StringDecoder("utf8");
    }
    if (size === offset) return;
    const buffer = Buffer.alloc(Math.min(size - offset, maxReadBytes));
    const fd = openSync(file, "r");
    let bytesRead: number;
    try {
      bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset += bytesRead;
    const text = partial + decoder.write(buffer.subarray(0, bytesRead));
    const end = text.lastIndexOf("\n");
    partial = end < 0 ? text : text.slice(end + 1);
    if (end >= 0) onLines(text.slice(0, end));
  };
  const poll = () => {
    try {
      read();
    } catch {
      // A log that cannot be read leaves the output channel without the engine's lines, nothing more.
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    flush: () => {
      poll();
      if (partial) onLines(partial);
      partial = "";
    },
    stop: () => clearInterval(timer),
  };
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
