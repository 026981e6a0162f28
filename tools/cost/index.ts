/**
 * `npm run cost [-- ...]`: see run.ts. Exit code 0 on success, 1 when `--check-docs` finds
 * docs/operations.md stale, 2 when the estimate could not be made (an unpriced resource, a failed
 * synth).
 */
import { runCommand } from '../shared/cli';
import { main } from './run';

runCommand(main);
