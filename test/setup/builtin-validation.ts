/**
 * aws-cdk-lib (2.27x) validates every synthesized template against its built-in CloudFormation
 * rules (`App` prop `builtinCloudFormationValidation`, default true; cdk.json makes a finding
 * fail synth with `@aws-cdk/core:validateAgainstDefaultRules`). Its WebAssembly engine starts
 * once per process, which jest repeats for every test file: about 7 s of CPU each, most of
 * `npm test`'s time. Unit tests therefore turn it off (the documented `CDK_VALIDATION=false`),
 * and `synthesize(context, { builtinValidation: true })` turns it back on for the scenario
 * tests in test/app.test.ts (dev, prod). `npm run synth` and `npm run validate` (every variant)
 * run it in CI. jest gives each test file its own copy of `process.env`, so this does not leak.
 */
process.env.CDK_VALIDATION ??= 'false';
