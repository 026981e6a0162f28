/**
 * `npm run cost [-- ...]`: see run.ts. Exit code 0 on success, 1 when `--check-docs` finds
 * docs/operations.md stale, 2 when the estimate could not be made (an unpriced resource, a failed
 * synth).
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
