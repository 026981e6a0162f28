import { App } from 'aws-cdk-lib';

/**
 * An app that skips Lambda bundling (a `NodejsFunction` runs esbuild in its constructor
 * otherwise), for construct tests whose templates do not depend on it, as in `synthesize`.
 */
export const noBundlingApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
