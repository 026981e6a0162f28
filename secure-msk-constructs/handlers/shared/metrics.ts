import { Metrics } from '@aws-lambda-powertools/metrics';

/** The one Powertools Metrics instance (EMF); namespace from `POWERTOOLS_METRICS_NAMESPACE`. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'MskSecureStack',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'msk-secure-stack',
});
