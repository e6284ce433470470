// What every generating call takes besides its request: cancellation and streaming.

export interface GenerationOptions {
  signal?: AbortSignal;
  /** Receives the answer as it is generated; chunks never split a character or show a stop string. */
  onText?: (text: string) => void;
}
