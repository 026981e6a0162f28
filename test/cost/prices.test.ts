/**
 * The price table cannot go stale quietly: every resource type of the app (read from the
 * committed app snapshot, which test/app.test.ts keeps equal to the synthesized templates) has an
 * entry, and every priced one a sourced price. The monitoring constructs' types are checked in
 * test/constructs/platform-monitoring-nag.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPriceTable, priceTableProblems } from '../../tools/cost/prices';

const TABLE = loadPriceTable();
const SNAPSHOT = readFileSync(join(__dirname, '..', '__snapshots__', 'app.test.ts.snap'), 'utf8');

/**
 * Resource types and instance types (MSK brokers, EC2) in the snapshot. Jest prints each template with
 * pretty-format: `"Resources"` at two spaces, logical ids at four, their `"Type"` at six.
 */
function snapshotFacts(): { types: Set<string>; instanceTypes: Set<string> } {
  const types = new Set<string>();
  const instanceTypes = new Set<string>();
  let inResources = false;
  for (const line of SNAPSHOT.split('\n')) {
    if (line === '  "Resources": {') inResources = true;
    else if (inResources && line === '  },') inResources = false;
    const type = /^ {6}"Type": "([^"]+)",$/.exec(line);
    if (inResources && type) types.add(type[1]);
    const instance = /^\s*"InstanceType": "([^"]+)",$/.exec(line);
    if (inResources && instance) instanceTypes.add(instance[1]);
  }
  return { types, instanceTypes };
}

test('the table is well-formed: every price has a unit, a source page and a verification grade', () => {
  expect(priceTableProblems(TABLE)).toEqual([]);
  expect(TABLE.takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

test("every resource type of the app's templates is priced, or listed as usage-priced or free", () => {
  const { types } = snapshotFacts();
  expect(types.size).toBeGreaterThan(20); // the parser found the templates
  const missing = [...types].filter((type) => !TABLE.resourceTypes[type]).sort();
  // Missing: add each to tools/cost/prices.json resourceTypes, priced (with its prices) or
  // usage/free (with the reason), and teach tools/cost/estimate.ts to price a priced one.
  expect(missing).toEqual([]);
});

test('every MSK instance type of the app has a broker price', () => {
  const msk = [...snapshotFacts().instanceTypes].filter((type) => type.startsWith('kafka.'));
  expect(msk.length).toBeGreaterThan(0);
  const missing = msk.filter((type) => !TABLE.prices[`msk.broker.${type}`]);
  expect(missing).toEqual([]);
});

test("every EC2 instance type of the app (dev's NAT instance) has an on-demand price", () => {
  const ec2 = [...snapshotFacts().instanceTypes].filter((type) => !type.startsWith('kafka.'));
  expect(ec2).toEqual(['t4g.nano']);
  const missing = ec2.filter((type) => !TABLE.prices[`ec2.instance.${type}`]);
  expect(missing).toEqual([]);
});
