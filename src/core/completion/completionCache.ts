// The typed-through cache: a suggestion stays valid while the user types its first characters, so
// the rest is shown again with no model call. Also holds speculative completions (computed for the
// text as it will be after a suggestion is accepted) and "nothing to suggest here" answers.

export interface CachePosition {
  documentId: string;
  /** The prompt's prefix window (text before the cursor). */
  prefix: string;
  /** The prompt's suffix window (text after the cursor). */
  suffix: string;
}

interface Entry {
  documentId: string;
  /** The end of the prefix: enough to tell positions apart, cheap to compare. */
  prefixTail: string;
  suffixHead: string;
  completion: string;
}

const prefixTailChars = 512;
const suffixHeadChars = 256;

export class CompletionCache {
  private entries: Entry[] = [];

  constructor(private readonly capacity = 64) {}

  get size(): number {
    return this.entries.length;
  }

  store(at: CachePosition, completion: string): void {
    const entry: Entry = {
      documentId: at.documentId,
      prefixTail: at.prefix.slice(-prefixTailChars),
      suffixHead: at.suffix.slice(0, suffixHeadChars),
      completion,
    };
    this.entries = [entry, ...this.entries.filter((e) => !sameSpot(e, entry))].slice(0, this.capacity);
  }

  /**
   * The part of a cached suggestion that is still ahead of the cursor: "" when the model had nothing
   * to suggest here, undefined when nothing cached applies.
   */
  lookup(at: CachePosition): string | undefined {
    const suffixHead = at.suffix.slice(0, suffixHeadChars);
    for (const [index, entry] of this.entries.entries()) {
      if (entry.documentId !== at.documentId || entry.suffixHead !== suffixHead) continue;
      const remaining = typedThrough(entry, at.prefix);
      if (remaining === undefined) continue;
      if (index > 0) this.entries = [entry, ...this.entries.slice(0, index), ...this.entries.slice(index + 1)];
      return remaining;
    }
    return undefined;
  }

  clear(): void {
    this.entries = [];
  }
}

function sameSpot(a: Entry, b: Entry): boolean {
  return a.documentId === b.documentId && a.prefixTail === b.prefixTail && a.suffixHead === b.suffixHead;
}

/** How much of the entry's completion the prefix has already typed; the rest, or undefined. */
function typedThrough(entry: Entry, prefix: string): string | undefined {
  // An empty answer only applies to its exact position; a fully typed suggestion is used up.
  const longest = entry.completion.length === 0 ? 0 : entry.completion.length - 1;
  for (let typed = 0; typed <= longest; typed++) {
    const head = entry.completion.slice(0, typed);
    if (!prefix.endsWith(head)) continue;
    if (prefix.slice(0, prefix.length - typed).slice(-prefixTailChars) === entry.prefixTail) return entry.completion.slice(typed);
  }
  return undefined;
}
