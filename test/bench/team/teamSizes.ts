// Which teams the team bench runs: how many typists, on how many llama-server slots, and the
// metric suffix each gets.

export interface TeamSize {
  typists: number;
  /** llama-server's `--parallel`; a server the user runs has its own. */
  slots: number;
}

/** Typists and llama-server slots: one slot each, then four typists a slot. */
export const TEAM_SIZES: readonly TeamSize[] = [
  { typists: 1, slots: 1 },
  { typists: 4, slots: 4 },
  { typists: 8, slots: 8 },
  { typists: 8, slots: 2 },
];

/** `DEEPSEEK_LOCAL_TEAM_SIZES`: "1,4,8" (a slot each) or "8/2" (8 typists on 2 slots); smallest team first. */
export function parseTeamSizes(raw: string | undefined): TeamSize[] {
  if (!raw?.trim()) return [...TEAM_SIZES];
  const sizes = raw.split(",").map((item) => {
    const [typists, slots = typists] = item.trim().split("/").map(Number);
    if (!Number.isInteger(typists) || !Number.isInteger(slots) || typists! < 1 || slots! < 1) {
      throw new Error(`DEEPSEEK_LOCAL_TEAM_SIZES takes typists or typists/slots, comma-separated, e.g. 1,4,8,8/2 (got "${raw}")`);
    }
    return { typists: typists!, slots: slots! };
  });
  return sizes.sort((a, b) => a.typists - b.typists || b.slots - a.slots);
}

/** The metric suffix: "8" for 8 typists on 8 slots (or on a server of the user's), "8_on_2" on 2. */
export function sizeId(size: TeamSize, remote: boolean): string {
  return remote || size.slots === size.typists ? String(size.typists) : `${size.typists}_on_${size.slots}`;
}
