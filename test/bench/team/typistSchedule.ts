// What each simulated typist of the team bench does, and when: the editor bench's edit sessions
// (editor/editSessions.ts) turned into timed events on a plain document model — keys at 120 ms, a
// 1.5 s pause after each burst, file switches between sessions. Pure: the driver (typist.ts) plays
// the events on real timers.
import { editSessions, type EditSession } from "../editor/editSessions";

/** The editor bench's pace (editor/editorRun.ts): a key every 120 ms, 1.5 s pauses after bursts. */
export const KEY_INTERVAL_MS = 120;
export const PAUSE_MS = 1500;

export interface TypistDocument {
  /** Unique per typist, so no two typists' prompts share a start (each gets its own cached slot). */
  documentId: string;
  filename: string;
}

export type TypistEvent =
  /** The typist brings a file to the front, the cursor at `offset` (VS Code: active editor changed). */
  | (TypistDocument & { kind: "open"; at: number; text: string; offset: number })
  /** One key: `text` is the whole file after it, `offset` the cursor after it. */
  | (TypistDocument & { kind: "key"; at: number; text: string; offset: number; line: number; lastOfBurst: boolean })
  /** The cursor moves without an edit (asks nothing; only restarts the idle timer). */
  | (TypistDocument & { kind: "move"; at: number; offset: number });

export interface TypistScript {
  /** Files the typist has open before it starts, offered as extra context: the other sessions' files. */
  neighbours: (TypistDocument & { text: string })[];
  events: TypistEvent[];
  /** When the last event's pause ends. */
  endsAt: number;
}

export interface ScheduleOptions {
  /** How many of the edit sessions the typist goes through (rotated from its own first one). */
  sessions: number;
  keyIntervalMs?: number;
  pauseMs?: number;
  /** Typists start this far apart at most, so that keys of different typists do not come in lockstep. */
  staggerMs?: number;
  /** The sessions to draw from (default: the editor bench's). */
  from?: readonly EditSession[];
}

/**
 * Where typist `index` starts: spread over `staggerMs` by the golden ratio, so any number of
 * typists is spread evenly and the same index always starts at the same time.
 */
export function startOffset(index: number, staggerMs: number): number {
  const golden = 0.6180339887498949;
  return Math.round(((index * golden) % 1) * staggerMs);
}

/** Offset of 1-based `line`, `column` (1-based, or the line's end) in `text`. */
export function offsetOf(text: string, line: number, column: number | "end"): number {
  const lines = text.split("\n");
  const index = Math.min(Math.max(line, 1), lines.length) - 1;
  const start = lines.slice(0, index).reduce((sum, l) => sum + l.length + 1, 0);
  const length = lines[index]!.length;
  return start + (column === "end" ? length : Math.min(Math.max(column - 1, 0), length));
}

function lineAt(text: string, offset: number): number {
  let line = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < offset; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

/** The typist's copy of a session's file: a first line naming the typist makes its prompt its own. */
export function typistDocument(index: number, session: EditSession): TypistDocument & { text: string } {
  const comment = session.file.endsWith(".py") ? "#" : "//";
  const filename = `typist-${index}/${session.file}`;
  return { documentId: `file:///team/${filename}`, filename, text: `${comment} ${filename}: team bench typist ${index}\n${session.content}` };
}

/** The sessions typist `index` goes through: its own first (index mod count), then the next ones. */
function sessionsFor(index: number, count: number, from: readonly EditSession[]): EditSession[] {
  return Array.from({ length: count }, (_, i) => from[(index + i) % from.length]!);
}

/** The timed events of typist `index`. Accepts are left out: what a Tab inserts is the model's. */
export function typistScript(index: number, options: ScheduleOptions): TypistScript {
  const keyMs = options.keyIntervalMs ?? KEY_INTERVAL_MS;
  const pauseMs = options.pauseMs ?? PAUSE_MS;
  const from = options.from ?? editSessions;
  const sessions = sessionsFor(index, options.sessions, from);
  const events: TypistEvent[] = [];
  let at = startOffset(index, options.staggerMs ?? PAUSE_MS);
  for (const session of sessions) {
    const doc = typistDocument(index, session);
    const file = { documentId: doc.documentId, filename: doc.filename };
    let text = doc.text;
    let offset = 0;
    events.push({ kind: "open", at, ...file, text, offset });
    const type = (keys: string) => {
      [...keys].forEach((key, i) => {
        at += keyMs;
        text = text.slice(0, offset) + key + text.slice(offset);
        offset += key.length;
        events.push({ kind: "key", at, ...file, text, offset, line: lineAt(text, offset), lastOfBurst: i === keys.length - 1 });
      });
      at += pauseMs;
    };
    for (const step of session.steps) {
      if (step.kind === "burst") type(step.text);
      else if (step.kind === "typeThrough") type(step.fallback.slice(0, step.chars));
      else if (step.kind === "newLineAtEnd" || step.kind === "moveTo") {
        if (step.kind === "newLineAtEnd" && !text.endsWith("\n")) text += "\n";
        offset = step.kind === "moveTo" ? offsetOf(text, step.line + 1, step.column) : text.length;
        at += keyMs;
        events.push({ kind: "move", at, ...file, offset });
      }
    }
  }
  const neighbours = from.filter((s) => s !== sessions[0]).map((s) => typistDocument(index, s));
  return { neighbours, events, endsAt: at };
}
