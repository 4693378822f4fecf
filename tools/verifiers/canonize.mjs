#!/usr/bin/env node
// Test-only tooling: canonicalizes RDF datasets with Digital Bazaar's
// rdf-canonize (RDFC-1.0), the canonicalizer inside the verifier that judges
// our credentials, so the tests can compare microcert's own implementation
// (src/microcert/credentials/rdfc.py) with it.
//
//   node canonize.mjs < request.json > response.json
//
// Request:  {"datasets": ["<N-Quads>", ...], "maxWorkFactor": 1}
// Response: {"canonical": ["<canonical N-Quads>" | {"error": "..."}, ...]}

import canonize from 'rdf-canonize';

import {readRequest} from './verify.mjs';

async function main() {
  const request = readRequest('canonize.mjs');
  const {datasets, maxWorkFactor = 1} = request;
  if(!Array.isArray(datasets)) {
    process.stderr.write('canonize.mjs: "datasets" must be an array\n');
    process.exit(2);
  }
  const canonical = [];
  for(const input of datasets) {
    try {
      canonical.push(await canonize.canonize(input, {
        algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
        format: 'application/n-quads', maxWorkFactor
      }));
    } catch(e) {
      canonical.push({error: e.message});
    }
  }
  process.stdout.write(JSON.stringify({canonical}));
  process.stdout.write('\n');
}

main().catch(e => {
  process.stderr.write(`canonize.mjs: internal error: ${e?.stack ?? e}\n`);
  process.exit(3);
});
