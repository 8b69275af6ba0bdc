import { it } from 'vitest';
import { prod } from '../config/environments/prod';
import { manifests } from './helpers';
import { reachability } from '../lib/synth/reachability';
import { checkNetwork } from '../packages/karpenter-validate/src/validation/network';
import { checkPrivilegedIsolation } from '../packages/karpenter-validate/src/validation/privileged-isolation';
import { Reporter } from '../packages/karpenter-validate/src/validation/findings';
it('perf', () => {
  const objects = manifests(prod);
  const cold = performance.now(); reachability(objects); console.log('reachability cold', performance.now() - cold);
  for (let i = 0; i < 50; i++) reachability(objects);
  let t = performance.now(); for (let i = 0; i < 50; i++) reachability(objects); console.log('reachability warm ms', (performance.now() - t) / 50);
  const items = objects.map((object) => ({ object, reporter: new Reporter({ kind: object.kind, name: object.metadata.name }) }));
  t = performance.now(); checkNetwork(items, { complete: true, production: true }); console.log('checkNetwork cold', performance.now() - t);
  for (let i = 0; i < 30; i++) checkNetwork(items, { complete: true, production: true });
  t = performance.now(); for (let i = 0; i < 30; i++) checkNetwork(items, { complete: true, production: true }); console.log('checkNetwork warm', (performance.now() - t) / 30);
  t = performance.now(); checkPrivilegedIsolation(items); console.log('privileged cold', performance.now() - t);
});
