import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Powertools Logger of a function bundle. Level from `POWERTOOLS_LOG_LEVEL`
 * (default INFO); service name from `POWERTOOLS_SERVICE_NAME`.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'msk-secure-stack',
});
