/**
 * `npm run validate [-- --variant NAME]... [--templates DIR]` (`npm run validate -- --help`):
 * see run.ts. Exit code 0 when no variant has an unacknowledged finding, 1 when one has, 2 when
 * a validator could not run.
 */
import { main } from './run';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
