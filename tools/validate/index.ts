/**
 * `npm run validate [-- --variant NAME]... [--templates DIR]` (`npm run validate -- --help`):
 * see run.ts. Exit code 0 when no variant has an unacknowledged finding, 1 when one has, 2 when
 * a validator could not run.
 */
import { runCommand } from '../shared/cli';
import { main } from './run';

runCommand(main);
