// "Fix with DeepSeek": the instruction "Refactor with Instruction" is given for a reported problem.
// The message comes from a language server or linter; it is quoted, not obeyed, and cut to a length.

const maxMessageLength = 500;

export function fixInstruction(message: string, line: number): string {
  const text = message.trim().replace(/\s+/g, " ");
  const quoted = text.length > maxMessageLength ? `${text.slice(0, maxMessageLength)}…` : text;
  return `Fix this problem, reported at line ${line}: "${quoted}". Change only what the fix needs and keep the code's behaviour otherwise.`;
}
