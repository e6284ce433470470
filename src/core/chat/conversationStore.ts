// Saved conversations: one JSON file per conversation in a folder the caller hands in (the
// extension's global storage). Writes go to a temporary file and are renamed into place, so a crash
// never leaves half a conversation; a file that does not parse is skipped, not fatal. The folder
// and files are the user's alone (0700 / 0600): conversations hold their code.
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Conversation, summarize, type ConversationSummary } from "./conversation.js";

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export class ConversationStore {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly directory: string) {}

  private fileOf(id: string): string {
    // Ids come from our own code, but the page sends them back: never let one name another path.
    if (!idPattern.test(id)) throw new Error(`Invalid conversation id: ${id}`);
    return path.join(this.directory, `${id}.json`);
  }

  /** All saved conversations, newest first. */
  async list(): Promise<ConversationSummary[]> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const summaries: ConversationSummary[] = [];
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const conversation = await this.load(name.slice(0, -".json".length));
      if (conversation) summaries.push(summarize(conversation));
    }
    return summaries.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async load(id: string): Promise<Conversation | undefined> {
    if (!idPattern.test(id)) return undefined;
    try {
      const parsed = Conversation.safeParse(JSON.parse(await readFile(this.fileOf(id), "utf8")));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Saves in call order (two quick saves of one conversation never race). */
  save(conversation: Conversation): Promise<void> {
    const snapshot = JSON.stringify(conversation);
    const run = this.writes.then(async () => {
      const target = this.fileOf(conversation.id);
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      // A folder made by an earlier version (or by the editor) may be world-readable.
      await chmod(this.directory, 0o700);
      const temporary = `${target}.${process.pid}.tmp`;
      await writeFile(temporary, snapshot, { encoding: "utf8", mode: 0o600 });
      // The file may exist from an earlier version with wider permissions; the rename keeps the new one's.
      await rename(temporary, target);
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  async remove(id: string): Promise<void> {
    const target = this.fileOf(id);
    await this.writes;
    await rm(target, { force: true });
  }
}
