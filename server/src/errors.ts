/** Errors a request can cause; controllers turn them into 400, 404, 409 and 413 answers. */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
}

export class NotFound extends Error {
  override name = 'NotFound';
}

/** The request clashes with the state of things (a run already going, nothing to cancel). */
export class Conflict extends Error {
  override name = 'Conflict';
  /** What the client needs to resolve it (answered as error.details), e.g. the text an approval would replace. */
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class TooLarge extends Error {
  override name = 'TooLarge';
}
