import { validateSnapshot } from './src/source/snapshot-reader.js';
const path = 'bench/out/account-1000.ndjson.gz';
for (const worker of [true, false, true, false]) {
  const t = performance.now(); const c0 = process.cpuUsage();
  await validateSnapshot(path, { worker });
  const c = process.cpuUsage(c0);
  console.log(worker ? 'worker' : 'thread', Math.round(performance.now() - t), 'ms wall; process cpu', Math.round((c.user + c.system) / 1000), 'ms');
}
