import type { CdkCustomResourceEvent } from 'aws-lambda';

/** The event as it may be logged: the pre-signed `ResponseURL` is a credential. */
export function redact(event: CdkCustomResourceEvent): Record<string, unknown> {
  return { ...event, ResponseURL: '[redacted]' };
}
