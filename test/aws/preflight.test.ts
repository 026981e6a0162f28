import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { checkCredentials, PreflightError } from '../../tools/aws/preflight';

// The credential check of `npm run deploy` and `npm run integ`, against a mocked STS: no
// network, no credentials.
const stsMock = mockClient(STSClient);
beforeEach(() => stsMock.reset());

const integ = { command: 'npm run integ', account: 'to test in', env: {} };
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'example' };
const noCredentials = async () => {
  const error = new Error('Could not load credentials from any providers');
  error.name = 'CredentialsProviderError';
  throw error;
};
const noRegion = async (): Promise<string> => {
  throw new Error('Region is missing');
};

test('with credentials and a Region: the caller, from GetCallerIdentity', async () => {
  stsMock.on(GetCallerIdentityCommand).resolves({
    Account: '111122223333',
    Arn: 'arn:aws:iam::111122223333:role/ci',
  });
  const sts = new STSClient({ region: 'eu-west-1', credentials });
  await expect(checkCredentials({ ...integ, sts })).resolves.toEqual({
    account: '111122223333',
    arn: 'arn:aws:iam::111122223333:role/ci',
    region: 'eu-west-1',
  });
  expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
});

test('without credentials: a PreflightError that says what to set, before any STS call', async () => {
  const sts = new STSClient({ region: 'eu-west-1', credentials: noCredentials });
  const failure = checkCredentials({ ...integ, sts });
  await expect(failure).rejects.toBeInstanceOf(PreflightError);
  await expect(failure).rejects.toThrow(
    /needs AWS credentials and a Region, and found no credentials \(CredentialsProviderError: Could not load credentials from any providers\)\. Set credentials .*Nothing was synthesized or deployed\./,
  );
  expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
});

test('without credentials and without a Region: one message names both', async () => {
  const sts = new STSClient({ region: noRegion, credentials: noCredentials });
  await expect(checkCredentials({ ...integ, sts })).rejects.toThrow(
    /found no credentials and no Region \(CredentialsProviderError/,
  );
  expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
});

test('credentials that STS refuses: says so, with its error', async () => {
  const refused = Object.assign(
    new Error('The security token included in the request is invalid.'),
    {
      name: 'InvalidClientTokenId',
    },
  );
  stsMock.on(GetCallerIdentityCommand).rejects(refused);
  const sts = new STSClient({ region: 'eu-west-1', credentials });
  await expect(checkCredentials({ ...integ, sts })).rejects.toThrow(
    /STS refused the ones found \(InvalidClientTokenId: The security token included/,
  );
});

test('no network path to STS: says it is the network, not the credentials', async () => {
  stsMock.on(GetCallerIdentityCommand).rejects(
    Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    }),
  );
  const sts = new STSClient({ region: 'eu-west-1', credentials });
  await expect(checkCredentials({ ...integ, sts })).rejects.toThrow(
    /found credentials but cannot reach STS/,
  );
});

test('an STS call that never answers: fails after the timeout instead of hanging', async () => {
  stsMock.on(GetCallerIdentityCommand).callsFake(() => new Promise(() => undefined));
  const sts = new STSClient({ region: 'eu-west-1', credentials });
  await expect(checkCredentials({ ...integ, sts, timeoutMs: 50 })).rejects.toThrow(
    /could not confirm AWS credentials within 0.05 s/,
  );
});

test('a credential provider that never answers (e.g. an unreachable metadata service): same', async () => {
  const sts = new STSClient({
    region: 'eu-west-1',
    credentials: () => new Promise(() => undefined),
  });
  await expect(checkCredentials({ ...integ, sts, timeoutMs: 50 })).rejects.toThrow(
    /could not confirm AWS credentials within 0.05 s .*AWS_EC2_METADATA_DISABLED=true/,
  );
});

test('npm run deploy: its own command and account in the message (.ci/run greps for it)', async () => {
  const sts = new STSClient({ region: noRegion, credentials: noCredentials });
  await expect(
    checkCredentials({ command: 'npm run deploy', account: 'to deploy to', env: {}, sts }),
  ).rejects.toThrow(
    /^npm run deploy needs AWS credentials and a Region, and found no credentials and no Region \(CredentialsProviderError: .*\)\. Set credentials for the account to deploy to /,
  );
});

test('the Region from AWS_DEFAULT_REGION when the SDK finds none (the CDK CLI reads it too)', async () => {
  stsMock.on(GetCallerIdentityCommand).resolves({
    Account: '111122223333',
    Arn: 'arn:aws:iam::111122223333:role/ci',
  });
  const sts = new STSClient({ region: noRegion, credentials });
  await expect(
    checkCredentials({ ...integ, env: { AWS_DEFAULT_REGION: 'eu-central-1' }, sts }),
  ).resolves.toMatchObject({ region: 'eu-central-1' });
});
