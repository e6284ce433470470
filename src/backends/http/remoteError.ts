// The typed error of the remote backend: an EngineError (features handle one kind of error), plus
// the HTTP status and the server's Retry-After when there was one.
import { EngineError, type EngineErrorCode } from "../../protocol/engine.js";

export class RemoteEngineError extends EngineError {
  constructor(
    code: EngineErrorCode,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
    this.name = "RemoteEngineError";
  }
}

export function cancelledError(): EngineError {
  return new EngineError("cancelled", "The request was cancelled.");
}
