import { App } from 'aws-cdk-lib';

/**
 * An app that skips Lambda bundling (a `SecureFunction` bundles its handler with esbuild in its
 * constructor otherwise), for construct tests whose templates do not depend on it, as in
 * `synthesize`: the CLI's `aws:cdk:bundling-stacks` context with no stack in it.
 */
export const noBundlingApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
