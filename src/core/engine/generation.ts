// What every generating call takes besides its request: cancellation and streaming.

export interface GenerationOptions {
  signal?: AbortSignal;
  /** Receives the answer as it is generated; chunks never split a character or show a stop string. */
  onText?: (text: string) => void;
  /**
   * Receives a reasoning model's thinking as it streams (DeepSeek's `reasoning_content`): shown to
   * the user apart from the answer, never part of the conversation sent back.
   */
  onReasoning?: (text: string) => void;
}
