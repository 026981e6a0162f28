import type { CdkCustomResourceEvent } from 'aws-lambda';
import { redact } from '../../secure-msk-constructs/handlers/shared/custom-resource';

/** An Update as the Provider framework passes it on; the ResponseURL is a pre-signed S3 URL. */
const SIGNED_URL =
  'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/' +
  'arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111122223333%3Astack/msk/guid%7CRes%7Crequest-1' +
  '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE&X-Amz-Signature=0123abcd';
const event: CdkCustomResourceEvent = {
  RequestType: 'Update',
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
  ResponseURL: SIGNED_URL,
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/msk/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'ScramSecretAssociation',
  PhysicalResourceId: 'scram-secret-association:arn:aws:kafka:eu-west-1:111122223333:cluster/c/1',
  ResourceType: 'Custom::MskScramSecretAssociation',
  ResourceProperties: { ServiceToken: 'token', ClusterArn: 'arn:aws:kafka:x', SecretArns: ['a'] },
  OldResourceProperties: { ServiceToken: 'token', ClusterArn: 'arn:aws:kafka:x', SecretArns: [] },
};

describe('redact: the custom-resource event as the handlers log it', () => {
  test('every field is kept except the pre-signed ResponseURL, which reads "[redacted]"', () => {
    expect(redact(event)).toEqual({
      RequestType: 'Update',
      ServiceToken: event.ServiceToken,
      ResponseURL: '[redacted]',
      StackId: event.StackId,
      RequestId: 'request-1',
      LogicalResourceId: 'ScramSecretAssociation',
      PhysicalResourceId:
        'scram-secret-association:arn:aws:kafka:eu-west-1:111122223333:cluster/c/1',
      ResourceType: 'Custom::MskScramSecretAssociation',
      ResourceProperties: event.ResourceProperties,
      OldResourceProperties: {
        ServiceToken: 'token',
        ClusterArn: 'arn:aws:kafka:x',
        SecretArns: [],
      },
    });
  });

  test('the logged form carries no part of the signed URL; the event itself is unchanged', () => {
    const logged = JSON.stringify(redact(event));
    expect(logged).not.toContain('X-Amz-Signature');
    expect(logged).not.toContain('amazonaws.com/');
    expect(event.ResponseURL).toBe(SIGNED_URL);
  });
});
