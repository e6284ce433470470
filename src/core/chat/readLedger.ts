// What the chat's read_file showed the model, per file: its size and a hash of the bytes returned.
// An edit the model proposes later is refused when the file no longer matches what it read — the
// model's anchors and reasoning were about text that is gone (issue 23).
import { createHash } from "node:crypto";

interface ReadRecord {
  size: number;
  shownBytes: number;
  shownSha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export class ReadLedger {
  private readonly records = new Map<string, ReadRecord>();

  /** read_file returned the first `shown` bytes of a `size`-byte file (the real path). */
  record(file: string, shown: Uint8Array, size: number): void {
    this.records.set(file, { size, shownBytes: shown.length, shownSha256: sha256(shown) });
  }

  /** Whether the model read this file in the conversation's current turn. */
  has(file: string): boolean {
    return this.records.has(file);
  }

  /**
   * Whether `currentText` differs from what was read: its size, or the part that was shown.
   * Undefined for a file the model did not read.
   */
  changedSinceRead(file: string, currentText: string): boolean | undefined {
    const record = this.records.get(file);
    if (!record) return undefined;
    const bytes = new TextEncoder().encode(currentText);
    return bytes.length !== record.size || sha256(bytes.subarray(0, record.shownBytes)) !== record.shownSha256;
  }

  /** A file the model itself changed (an applied edit, a rename) must be read again before the next edit. */
  forget(file: string): void {
    this.records.delete(file);
  }
}
