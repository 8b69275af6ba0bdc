// A cdk8s app of someone else's, as the package's users write one: a chart holding a node class
// and a pool (test/fixtures/valid/karpenter.yaml), synthesized by cdk8s' own App.synth(), which
// writes construct-metadata.json when cdk8s-cli asks for it. BROKEN=1 breaks the pool: a
// disruption budget with a schedule and no duration, which the NodePool CRD's CEL rules refuse.
const { join } = require('node:path');
const { ApiObject, App, Chart, Yaml } = require('cdk8s');

const app = new App();
const chart = new Chart(app, 'fleet');
for (const object of Yaml.load(join(__dirname, 'karpenter.yaml'))) {
  if (object.kind === 'NodePool' && process.env.BROKEN === '1') object.spec.disruption.budgets = [{ nodes: '10%', schedule: '0 9 * * mon-fri' }];
  new ApiObject(chart, object.kind === 'NodePool' ? 'pool' : 'node-class', object);
}
app.synth();
