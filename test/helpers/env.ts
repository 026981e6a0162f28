/**
 * Runs `fn` with `unset` removed from `process.env` and `env` set (undefined values stay unset),
 * then puts `process.env` back as it was, so a test can load a module as a function would see it.
 */
export function withEnv<T>(
  unset: readonly string[],
  env: Record<string, string | undefined>,
  fn: () => T,
): T {
  const saved = { ...process.env };
  for (const name of unset) delete process.env[name];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) process.env[name] = value;
  }
  try {
    return fn();
  } finally {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  }
}
