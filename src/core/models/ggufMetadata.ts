// Reads the key/value metadata at the start of a GGUF file from bytes handed in, so the host can
// check a file before any engine touches it (format: ggml docs/gguf.md, version 2 and 3).

export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** Thrown when the bytes end inside the metadata: read more of the file and parse again. */
export class GgufIncompleteError extends Error {
  constructor(readonly bytesRead: number) {
    super(`GGUF metadata continues past ${bytesRead} bytes`);
    this.name = "GgufIncompleteError";
  }
}

export class GgufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GgufFormatError";
  }
}

export interface GgufMetadata {
  version: number;
  tensorCount: bigint;
  /** Flat keys as in the file, e.g. `general.architecture`, `tokenizer.ggml.tokens`. */
  values: Record<string, GgufValue>;
  /** Bytes the header (up to the tensor infos) occupies. */
  metadataBytes: number;
}

const textDecoder = new TextDecoder("utf-8");
/** Arrays longer than this are counted, not kept, except token and merge lists the checks need. */
const maxKeptArrayLength = 1 << 20;

class Cursor {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get position(): number {
    return this.offset;
  }
  private need(count: number): number {
    if (this.offset + count > this.bytes.byteLength) throw new GgufIncompleteError(this.bytes.byteLength);
    const at = this.offset;
    this.offset += count;
    return at;
  }
  u8 = () => this.view.getUint8(this.need(1));
  i8 = () => this.view.getInt8(this.need(1));
  u16 = () => this.view.getUint16(this.need(2), true);
  i16 = () => this.view.getInt16(this.need(2), true);
  u32 = () => this.view.getUint32(this.need(4), true);
  i32 = () => this.view.getInt32(this.need(4), true);
  f32 = () => this.view.getFloat32(this.need(4), true);
  f64 = () => this.view.getFloat64(this.need(8), true);
  u64 = () => this.view.getBigUint64(this.need(8), true);
  i64 = () => this.view.getBigInt64(this.need(8), true);
  string(): string {
    const length = this.u64();
    if (length > BigInt(64 * 1024 * 1024)) throw new GgufFormatError(`implausible string length ${length}`);
    const at = this.need(Number(length));
    return textDecoder.decode(this.bytes.subarray(at, at + Number(length)));
  }
}

/** Plain numbers where they are exact: metadata sizes and ids fit comfortably. */
function smallBigint(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

function readValue(cursor: Cursor, type: number, keep: boolean): GgufValue {
  switch (type) {
    case 0: return cursor.u8();
    case 1: return cursor.i8();
    case 2: return cursor.u16();
    case 3: return cursor.i16();
    case 4: return cursor.u32();
    case 5: return cursor.i32();
    case 6: return cursor.f32();
    case 7: return cursor.u8() !== 0;
    case 8: return cursor.string();
    case 9: {
      const itemType = cursor.u32();
      const count = cursor.u64();
      if (count > BigInt(1 << 28)) throw new GgufFormatError(`implausible array length ${count}`);
      const items: GgufValue[] = [];
      const keepItems = keep && count <= BigInt(maxKeptArrayLength);
      for (let i = 0; i < Number(count); i++) {
        const item = readValue(cursor, itemType, keepItems);
        if (keepItems) items.push(item);
      }
      return items;
    }
    case 10: return smallBigint(cursor.u64());
    case 11: return smallBigint(cursor.i64());
    case 12: return cursor.f64();
    default:
      throw new GgufFormatError(`unknown metadata value type ${type}`);
  }
}

/** Parses the metadata; throws GgufIncompleteError when `bytes` ends too early, GgufFormatError when it is not GGUF. */
export function parseGgufMetadata(bytes: Uint8Array): GgufMetadata {
  const cursor = new Cursor(bytes);
  if (bytes.byteLength >= 4 && textDecoder.decode(bytes.subarray(0, 4)) !== "GGUF") {
    throw new GgufFormatError('the file does not start with "GGUF"');
  }
  cursor.u32();
  const version = cursor.u32();
  if (version < 2 || version > 3) throw new GgufFormatError(`unsupported GGUF version ${version}`);
  const tensorCount = cursor.u64();
  const keyCount = cursor.u64();
  if (keyCount > BigInt(1 << 20)) throw new GgufFormatError(`implausible metadata count ${keyCount}`);
  const values: Record<string, GgufValue> = {};
  for (let i = 0; i < Number(keyCount); i++) {
    const key = cursor.string();
    values[key] = readValue(cursor, cursor.u32(), true);
  }
  return { version, tensorCount, values, metadataBytes: cursor.position };
}

/**
 * Flattens node-llama-cpp's nested metadata (`{ general: { architecture } }`) into GGUF keys
 * (`general.architecture`), so the engine and the host run the same checks.
 */
export function flattenGgufMetadata(nested: unknown, prefix = "", into: Record<string, unknown> = {}): Record<string, unknown> {
  if (nested && typeof nested === "object" && !Array.isArray(nested)) {
    for (const [key, value] of Object.entries(nested)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value && typeof value === "object" && !Array.isArray(value)) flattenGgufMetadata(value, path, into);
      else into[path] = value;
    }
  }
  return into;
}
