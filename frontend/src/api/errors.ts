// The two ways an API call fails: the API answered with an error, or no answer came at all.

/** Field name (`title`, `due_date`, ...) to the server's message about it. */
export type FieldErrors = Partial<Record<string, string>>;

/** The API answered with an error status; `detail` is its message, `fieldErrors` its 422 details per field. */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldErrors;

  constructor(status: number, message: string, fieldErrors: FieldErrors = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
  }

  /** 412: the task changed since this page last saw it. */
  get isConflict(): boolean {
    return this.status === 412;
  }
}

/** No answer from the API itself: network down, server stopped, or a gateway saying so (502/504). */
export class UnreachableError extends Error {
  constructor(message = 'The TaskFlow server cannot be reached.') {
    super(message);
    this.name = 'UnreachableError';
  }
}

interface ValidationItem {
  loc?: unknown[];
  msg?: string;
}

/** Reads FastAPI's error body: `{"detail": "text"}` or the 422 shape `{"detail": [{loc, msg}, ...]}`. */
export function parseErrorBody(status: number, body: unknown): ApiError {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (Array.isArray(detail)) {
    const fieldErrors: FieldErrors = {};
    const messages: string[] = [];
    for (const item of detail as ValidationItem[]) {
      const loc = Array.isArray(item.loc) ? item.loc : [];
      // loc is ["body", "title"] for a field; ["body"] alone is the body as a whole.
      const field = loc[0] === 'body' && typeof loc[1] === 'string' ? loc[1] : undefined;
      const msg = item.msg ?? 'Invalid value';
      if (field !== undefined && fieldErrors[field] === undefined) fieldErrors[field] = msg;
      messages.push(field !== undefined ? `${field}: ${msg}` : msg);
    }
    return new ApiError(status, messages.join('; ') || 'The request was not valid.', fieldErrors);
  }
  if (typeof detail === 'string') return new ApiError(status, detail);
  return new ApiError(status, `The server answered ${status}.`);
}
