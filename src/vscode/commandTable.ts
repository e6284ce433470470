// The shape of the one command table (commands.ts registers it): id → handler. Features build their
// part with the objects they own and hand it in; this module has no imports, so any feature may.

export type CommandHandler = (...args: unknown[]) => unknown;
export type CommandTable = Readonly<Record<string, CommandHandler>>;

/** The parts merged into one table. An id in two parts is a bug, refused here rather than shadowed. */
export function mergeCommandTables(...parts: CommandTable[]): CommandTable {
  const table: Record<string, CommandHandler> = {};
  for (const part of parts) {
    for (const [id, handler] of Object.entries(part)) {
      if (table[id]) throw new Error(`the command ${id} is in the command table twice`);
      table[id] = handler;
    }
  }
  return table;
}
