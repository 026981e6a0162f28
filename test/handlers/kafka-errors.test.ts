import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import { isRetryableKafkaError } from '../../secure-msk-constructs/handlers/shared/kafka-errors';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('isRetryableKafkaError: which MSK errors mean "try again later"', () => {
  test.each([
    'ConflictException',
    'TooManyRequestsException',
    'ThrottlingException',
    'ServiceUnavailableException',
    'InternalServerErrorException',
  ])('%s is retryable', (name) => {
    expect(isRetryableKafkaError(named(name))).toBe(true);
  });

  test('the SDK’s own exception classes', () => {
    expect(isRetryableKafkaError(new ConflictException({ message: 'busy', $metadata: {} }))).toBe(
      true,
    );
    expect(isRetryableKafkaError(new NotFoundException({ message: 'gone', $metadata: {} }))).toBe(
      false,
    );
    expect(isRetryableKafkaError(new ForbiddenException({ message: 'no', $metadata: {} }))).toBe(
      false,
    );
  });

  test('BadRequestException only when the cluster is in the wrong state (not ACTIVE)', () => {
    for (const message of [
      'The request is not valid because the cluster is in UPDATING state.',
      'Cluster is not active',
      'Cluster is NOT   ACTIVE',
      'STATE: HEALING',
    ]) {
      expect([message, isRetryableKafkaError(named('BadRequestException', message))]).toEqual([
        message,
        true,
      ]);
    }
    for (const message of [
      'Invalid secret ARN',
      'The statement is invalid', // "state" only as part of a word
      'Unknown substate HEALING',
      'inactive',
      'not-active',
    ]) {
      expect([message, isRetryableKafkaError(named('BadRequestException', message))]).toEqual([
        message,
        false,
      ]);
    }
    expect(
      isRetryableKafkaError(new BadRequestException({ message: 'cluster state', $metadata: {} })),
    ).toBe(true);
    // The same text under another name is not retried.
    expect(isRetryableKafkaError(named('ValidationException', 'cluster is not active'))).toBe(
      false,
    );
  });

  test('anything that is not an Error is not retried', () => {
    for (const value of [
      'ConflictException',
      { name: 'ConflictException', message: 'x' },
      undefined,
      null,
    ]) {
      expect(isRetryableKafkaError(value)).toBe(false);
    }
  });
});
