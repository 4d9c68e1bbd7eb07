import { readW3cBatches } from './dist/src/readers/w3c/index.js';
const file = '.bench-data/W3SVC1/u_ex-bench-64mb.log';
for (let k = 0; k < 2; k++) {
const c0 = process.cpuUsage(); let n = 0;
for await (const b of readW3cBatches({absPath: file, path: 'W3SVC1/x', kind: 'iis-w3c'}, () => {})) n += b.length;
const c = process.cpuUsage(c0); console.log('reader', ((c.user + c.system) / 1e6).toFixed(2), 's cpu', n);
}
