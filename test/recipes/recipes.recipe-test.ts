/**
 * `npm run test:recipes`: every recipe of README.md and docs/*.md (`<!-- recipe: … -->`),
 * carried out as written in a copy of the project (recipes.ts), then checked on the synthesized
 * templates. A recipe without a check here, or a check without its recipe, fails.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, loadTemplates } from '../../tools/shared/assembly';
import { projectRecipes, Recipe, RecipeRun, runRecipe } from './recipes';

/** Every resource of every template (nested stacks included) of a cloud assembly. */
const resources = (assembly: string): CfnResource[] =>
  loadTemplates(assembly).flatMap(({ template }) => Object.values(template.Resources ?? {}));

const ofType = (all: CfnResource[], type: string) => all.filter((r) => r.Type === type);
const json = (value: unknown) => JSON.stringify(value);

/** What each recipe must have done, read off the templates it synthesized. */
const CHECKS: Record<string, (run: RecipeRun) => void> = {
  'add-user': ({ assembly }) => {
    const all = resources(assembly);
    const secretNames = ofType(all, 'AWS::SecretsManager::Secret').map((r) =>
      json(r.Properties?.Name),
    );
    expect(secretNames.some((n) => n.includes('AmazonMSK_msk-secure-dev_billing'))).toBe(true);
    // The default users stay.
    expect(secretNames.some((n) => n.includes('AmazonMSK_msk-secure-dev_producer'))).toBe(true);
    expect(secretNames.some((n) => n.includes('AmazonMSK_msk-secure-dev_consumer'))).toBe(true);
    const bindings = json(ofType(all, 'Custom::MskKafkaAcls').map((r) => r.Properties?.Bindings));
    expect(bindings).toContain('"principal":"User:billing"');
    expect(bindings).toContain('"principal":"User:producer"');
  },
  'own-handler': ({ assembly, root }) => {
    const all = resources(assembly);
    const services = ofType(all, 'AWS::Lambda::Function').map((r) =>
      json((r.Properties?.Environment as { Variables?: unknown })?.Variables),
    );
    expect(services.some((v) => v.includes('"POWERTOOLS_SERVICE_NAME":"payments"'))).toBe(true);
    expect(services.some((v) => v.includes('"POWERTOOLS_SERVICE_NAME":"consumer"'))).toBe(true);
    expect(
      readFileSync(join(root, 'lambda', 'consumers', 'payments', 'index.ts'), 'utf8'),
    ).toContain("from '../../../secure-msk-constructs/handlers/shared/logger'");
  },
  'switch-to-iam': ({ assembly }) => {
    const all = resources(assembly);
    const mappings = ofType(all, 'AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const m of mappings) expect(json(m.Properties)).not.toContain('SASL_SCRAM_512_AUTH');
    const policies = [
      ...ofType(all, 'AWS::IAM::Policy'),
      ...ofType(all, 'AWS::IAM::ManagedPolicy'),
    ];
    expect(json(policies)).toContain('kafka-cluster:ReadData');
  },
  'prod-two-azs': ({ assembly }) => {
    const [cluster] = ofType(resources(assembly), 'AWS::MSK::Cluster');
    expect(cluster.Properties?.NumberOfBrokerNodes).toBe(2);
    expect(
      (cluster.Properties?.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets,
    ).toHaveLength(2);
    expect(cluster.Properties?.ClusterName).toBe('msk-secure-prod');
  },
  'bring-your-own-vpc': ({ root }) => {
    const all = resources(join(root, 'cdk.out.example'));
    expect(ofType(all, 'AWS::MSK::Cluster')).toHaveLength(1);
    expect(ofType(all, 'AWS::EC2::VPC')).toHaveLength(1);
  },
};

const recipes = projectRecipes();

test('every recipe has a check, and every check a recipe', () => {
  expect(recipes.map((r) => r.name).sort()).toEqual(Object.keys(CHECKS).sort());
});

test.each(recipes.map((r): [string, Recipe] => [`${r.name} (${r.source})`, r]))(
  'recipe %s works as written',
  (_name, recipe) => {
    const run = runRecipe(recipe);
    try {
      CHECKS[recipe.name](run);
    } finally {
      rmSync(run.root, { recursive: true, force: true });
    }
  },
);
