#!/usr/bin/env python3
"""Writes tools/deploy/create-only-properties.json: each resource type's `createOnlyProperties`
(the properties whose change makes CloudFormation replace the resource), read from the
CloudFormation resource provider schemas that cfn-lint ships (cfnlint/data/schemas).

Usage: python3 tools/deploy/create-only-properties.py <synthesized templates or folders>...
The types are the ones the given templates contain, plus those already in the file; run it
after `npm run synth` when a new resource type is added (a test fails until you do).
"""
import glob
import importlib
import json
import os
import sys

import cfnlint
from importlib.metadata import version

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'deploy', 'create-only-properties.json')
SCHEMAS = os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'schemas')


def template_types(paths):
    files = []
    for path in paths:
        files += glob.glob(os.path.join(path, '**', '*.template.json'), recursive=True) if os.path.isdir(path) else [path]
    types = set()
    for file in files:
        with open(file) as f:
            types.update(r['Type'] for r in json.load(f).get('Resources', {}).values())
    return types


def main():
    providers = importlib.import_module('cfnlint.data.schemas.providers.us_east_1').types
    existing = json.load(open(OUT))['types'] if os.path.exists(OUT) else {}
    types = sorted((template_types(sys.argv[1:]) | set(existing)) - {t for t in existing if t.startswith('Custom::')})
    table = {}
    for t in types:
        if t.startswith('Custom::') or t == 'AWS::CloudFormation::CustomResource':
            continue
        with open(os.path.join(SCHEMAS, 'resources', providers[t] + '.json')) as f:
            schema = json.load(f)
        table[t] = sorted(schema.get('createOnlyProperties', []))
    with open(OUT, 'w') as f:
        json.dump(
            {
                'source': 'createOnlyProperties of the CloudFormation resource provider schemas '
                f'(us-east-1) shipped with cfn-lint {version("cfn-lint")}; written by tools/deploy/create-only-properties.py',
                'types': table,
            },
            f,
            indent=2,
        )
        f.write('\n')
    print(f'{len(table)} resource types -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
