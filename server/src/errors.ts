/** Errors a request can cause; controllers turn them into 400 and 404 answers. */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
}

export class NotFound extends Error {
  override name = 'NotFound';
}
