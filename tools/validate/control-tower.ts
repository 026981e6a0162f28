/**
 * The AWS Control Tower proactive controls (the Guard rules that `@cdklabs/cdk-validator-cfnguard`
 * bundles, run by the cfn-guard binary it ships for this OS and architecture), through the
 * package's own validator so that Guard's output is read the way `cdk synth` reads it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { RootConstruct } from 'constructs';
import type { Finding } from './types';

const PACKAGE_DIR = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const CONTROL_TOWER_RULES = join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');

function guardFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? guardFiles(path) : name.endsWith('.guard') ? [path] : [];
  });
}

let ruleIds: Map<string, string> | undefined;

/**
 * Guard rule name → control id. A rule file `ct-kms-pr-3.guard` is control CT.KMS.PR.3 (its
 * metadata file says so too); its primary rule is the one applied to CloudFormation templates.
 */
export function controlIdsByRuleName(): Map<string, string> {
  if (ruleIds) return ruleIds;
  ruleIds = new Map();
  for (const file of guardFiles(CONTROL_TOWER_RULES)) {
    const text = readFileSync(file, 'utf8');
    const rule = /^rule\s+(\w+)\s+when\s+is_cfn_template/m.exec(text)?.[1];
    const id =
      /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(text)?.[1] ??
      basename(file, '.guard').toUpperCase().replace(/-/g, '.');
    if (rule && !ruleIds.has(rule)) ruleIds.set(rule, id);
  }
  return ruleIds;
}

export function runControlTower(templatePaths: string[]): Finding[] {
  if (templatePaths.length === 0) return [];
  // The validator reads only the template paths; the construct tree is there for the type.
  const report = new CfnGuardValidator({ maxBuffer: 256 * 1024 * 1024 }).validate({
    templatePaths,
    appConstruct: new RootConstruct('validate'),
  });
  const ids = controlIdsByRuleName();
  const findings = new Map<string, Finding>();
  for (const violation of report.violations) {
    const described = /^\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]:\s*(.*)$/s.exec(violation.description ?? '');
    const rule = described?.[1] ?? ids.get(violation.ruleName) ?? violation.ruleName;
    const title = described?.[2] ?? violation.description ?? violation.ruleName;
    const named = violation.violatingResources.filter((r) => r.resourceLogicalId);
    // Guard also reports the template itself (an empty path) next to the resources it failed.
    const resources = named.length ? named : violation.violatingResources;
    for (const r of resources) {
      const file = basename(r.templatePath);
      const resource = r.resourceLogicalId ?? '';
      const key = `${rule}|${file}|${resource}`;
      if (findings.has(key)) continue;
      findings.set(key, {
        validator: 'control-tower',
        rule,
        severity: 'error',
        file,
        resource,
        message: `${title}. Fix: ${violation.fix}`,
        path: [...new Set(r.locations.filter((l) => l))].slice(0, 3).join(', ') || undefined,
      });
    }
  }
  return [...findings.values()];
}
