import { parseRecipes, substituteDeploy } from './recipes';

describe('recipes in Markdown', () => {
  const md = [
    '# Title',
    '<!-- recipe: add-user -->',
    'Add to `config/dev.json`:',
    '```json config/dev.json',
    '{ "scramUsers": ["consumer"] }',
    '```',
    '```bash',
    'npm run deploy',
    '```',
    '## Next',
    '```bash',
    'echo not a recipe',
    '```',
  ].join('\n');

  test('a recipe takes its blocks up to the next heading, with the file of each json block', () => {
    expect(parseRecipes(md, 'README.md')).toEqual([
      {
        name: 'add-user',
        source: 'README.md:2',
        steps: [
          { kind: 'json', file: 'config/dev.json', text: '{ "scramUsers": ["consumer"] }' },
          { kind: 'bash', text: 'npm run deploy' },
        ],
      },
    ]);
  });

  test('a json block without its file is refused, naming where it is', () => {
    expect(() =>
      parseRecipes(['<!-- recipe: x -->', '```json', '{}', '```'].join('\n'), 'docs/a.md'),
    ).toThrow("docs/a.md:4: a recipe's json block must name its file");
  });

  test('npm run deploy becomes a synth with the same arguments into the recipe output', () => {
    expect(
      substituteDeploy(
        'npm run new-consumer -- payments\nnpm run deploy -- -c profile=prod',
        'out',
      ),
    ).toBe('npm run new-consumer -- payments\nnpm run synth -- -c profile=prod --output out');
    expect(substituteDeploy('npm run deploy', 'out')).toBe('npm run synth -- --output out');
    expect(
      substituteDeploy('npm run deploy -- -c azCount=2 --yes --allow-removal user:billing', 'out'),
    ).toBe('npm run synth -- -c azCount=2 --output out');
  });
});
