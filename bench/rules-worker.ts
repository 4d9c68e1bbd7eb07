// Worker side of bench:rules: receives the rule set as data (structured clone, or V8 bytes transferred) or
// compiles it from YAML, rebuilds it, and says when it was ready (absolute ms, comparable across threads).
import { parentPort } from 'node:worker_threads';
import { deserialize } from 'node:v8';
import { loadSigma, ruleSetFromData, type SigmaRuleSetData } from '../src/engines/sigma/index.js';

const now = (): number => performance.timeOrigin + performance.now();

type Msg = { kind: 'clone'; data: SigmaRuleSetData } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'compile'; paths: string[] };

parentPort!.on('message', (m: Msg) => {
  void (async () => {
    const got = now();
    const set = m.kind === 'clone' ? ruleSetFromData(m.data) : m.kind === 'bytes' ? ruleSetFromData(deserialize(m.bytes) as SigmaRuleSetData) : (await loadSigma(m.paths)).ruleSet;
    parentPort!.postMessage({ got, ready: now(), size: set.size });
  })();
});
