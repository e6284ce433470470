// Which set of sequences each client window uses on a shared engine. Each client gets a slot of
// its own while there are free ones; past the cap, a new client shares the slot with the fewest
// users (the earliest such slot), so no window's KV is evicted by more than the fewest others.

export class ClientSlots {
  private readonly users: number[];

  constructor(readonly count: number) {
    this.users = Array.from({ length: count }, () => 0);
  }

  /** A slot for a new client. */
  take(): number {
    let best = 0;
    for (let slot = 1; slot < this.users.length; slot++) if (this.users[slot]! < this.users[best]!) best = slot;
    this.users[best]!++;
    return best;
  }

  /** The client of `slot` left. */
  release(slot: number): void {
    if (this.users[slot]! > 0) this.users[slot]!--;
  }

  usersOf(slot: number): number {
    return this.users[slot] ?? 0;
  }
}
