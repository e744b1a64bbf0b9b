import { CheckEngine, Policy, checksumCheck } from '@tdr/checks';
import { LocalFileSource } from '@tdr/storage';
const t0 = performance.now();
const items = []; for await (const i of new LocalFileSource([process.argv[2]]).list()) items.push(i);
const t1 = performance.now();
const engine = new CheckEngine({ checks: [checksumCheck()], concurrency: Number(process.env.C) }); await engine.init();
const t2 = performance.now();
const policy = Policy.default(); let out = 0; const elu0 = performance.eventLoopUtilization(); const cpu0 = process.cpuUsage();
for await (const r of engine.run(items)) { out += JSON.stringify({ path: r.path, v: policy.judge(r).verdict, checks: r.results }).length; }
const t3 = performance.now(); const elu = performance.eventLoopUtilization(elu0); const cpu = process.cpuUsage(cpu0);
await engine.close();
console.error(`list ${(t1-t0).toFixed(0)} init ${(t2-t1).toFixed(0)} run ${(t3-t2).toFixed(0)} main-active ${elu.active.toFixed(0)} ms (util ${elu.utilization.toFixed(2)}) process cpu ${((cpu.user+cpu.system)/1000).toFixed(0)} ms`);
