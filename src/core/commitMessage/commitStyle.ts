// How this repository writes commit subjects, read from its recent history, so a generated message
// looks like its neighbours: conventional commits (`feat(scope): …`) or plain sentences, their usual
// length, capitalisation and closing period. The language is left to the examples the prompt quotes.

export interface CommitStyle {
  /** Most subjects are `type(scope)!: description`. */
  conventional: boolean;
  /** The conventional types seen, most used first. */
  types: string[];
  /** Whether conventional subjects name a scope. */
  scoped: boolean;
  /** The median subject length, in characters (50 with no history). */
  typicalLength: number;
  /** The longest subject seen. */
  longestLength: number;
  /** Whether descriptions (after any `type:`) mostly start with a capital letter. */
  capitalized: boolean;
  /** Whether subjects mostly end with a period. */
  endsWithPeriod: boolean;
  /** Recent subjects to quote as examples, newest first (merge commits left out). */
  examples: string[];
}

export const conventionalSubject = /^([a-z][\w-]*)(\(([^)]*)\))?!?: \S/i;
const mergeSubject = /^(Merge (branch|pull request|remote-tracking branch|tag)|Revert ")/;
const examplesQuoted = 10;

/** The first line of each commit message given, as `git log` lists them (newest first). */
export function subjectsOf(messages: readonly string[]): string[] {
  return messages.map((message) => message.split("\n", 1)[0]!.trim()).filter((subject) => subject !== "");
}

export function detectCommitStyle(subjects: readonly string[]): CommitStyle {
  const examples = subjects.filter((subject) => !mergeSubject.test(subject)).slice(0, examplesQuoted);
  const matches = examples.map((subject) => conventionalSubject.exec(subject));
  const conventionalOnes = matches.filter((match): match is RegExpExecArray => match !== null);
  const conventional = examples.length > 0 && conventionalOnes.length * 2 >= examples.length;
  const typeCounts = new Map<string, number>();
  for (const match of conventionalOnes) typeCounts.set(match[1]!.toLowerCase(), (typeCounts.get(match[1]!.toLowerCase()) ?? 0) + 1);
  const descriptions = examples.map((subject, i) => (conventional && matches[i] ? subject.slice(subject.indexOf(":") + 1).trim() : subject));
  const lengths = examples.map((subject) => [...subject].length).sort((a, b) => a - b);
  const mostly = (test: (text: string) => boolean) => descriptions.length > 0 && descriptions.filter(test).length * 2 > descriptions.length;
  return {
    conventional,
    types: [...typeCounts].sort((a, b) => b[1] - a[1]).map(([type]) => type),
    scoped: conventional && conventionalOnes.filter((match) => match[3]).length * 2 >= conventionalOnes.length,
    typicalLength: lengths.length ? lengths[Math.floor(lengths.length / 2)]! : 50,
    longestLength: lengths.at(-1) ?? 0,
    capitalized: mostly((text) => /^\p{Lu}/u.test(text)),
    endsWithPeriod: mostly((text) => text.endsWith(".")),
    examples,
  };
}

/** The longest subject the cleaned message keeps: 72 for conventional commits, else what the history allows. */
export function subjectLimit(style: CommitStyle): number {
  return style.conventional ? 72 : Math.max(72, style.longestLength);
}

/** The style as instructions for the prompt. */
export function describeCommitStyle(style: CommitStyle): string[] {
  if (style.examples.length === 0) return ["The repository has no commits yet: write a short imperative subject line (at most 72 characters)."];
  const lines: string[] = [];
  if (style.conventional) {
    const types = style.types.length ? ` (this repository uses: ${style.types.join(", ")})` : "";
    lines.push(`Use Conventional Commits: \`type${style.scoped ? "(scope)" : ""}: description\`${types}. The subject line is at most 72 characters.`);
  } else lines.push("Write a plain subject line, no `type:` prefix, like the examples.");
  lines.push(`Subjects here are usually about ${style.typicalLength} characters long.`);
  lines.push(style.capitalized ? "Start the description with a capital letter." : "Start the description with a lowercase letter.");
  lines.push(style.endsWithPeriod ? "End the subject with a period." : "Do not end the subject with a period.");
  lines.push("Write in the same language as the examples.");
  return lines;
}
