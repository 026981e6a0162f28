/** MSK control-plane errors that mean "try again later": the cluster is busy or we are throttled. */
export function isRetryableKafkaError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (
    [
      'ConflictException',
      'TooManyRequestsException',
      'ThrottlingException',
      'ServiceUnavailableException',
      'InternalServerErrorException',
    ].includes(error.name)
  ) {
    return true;
  }
  // A cluster that is not ACTIVE (e.g. UPDATING after a version or storage change).
  return error.name === 'BadRequestException' && /\bstate\b|not\s+active/i.test(error.message);
}
