import { toYaml } from '../synth/layout';

/**
 * Health of an Application, for the roots that sync the others (app of apps): Argo CD stopped
 * assessing it in 1.8 (argo-cd #3781), so without this check every child Application counts as
 * healthy the moment it is created and sync waves order nothing. The child's own health status
 * is its health; until it has one, it is progressing. Argo CD runs it without Lua's open
 * libraries (argo-cd v3.1.16 util/lua/lua.go runLua: base, table, package and a safe os only),
 * which it does not need.
 *
 * NodePool, EC2NodeClass and ScaledObject need nothing here: Argo CD 3.1 (the release targeted,
 * config/argocd.ts) ships health checks for them (resource_customizations/karpenter.sh/NodePool,
 * karpenter.k8s.aws/EC2NodeClass, keda.sh/ScaledObject at v3.1.16), which read their Ready
 * condition (a Ready False is Degraded, and fails the wave). test/oracle-argocd-health.test.ts
 * runs this check and those through Argo CD's own code.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
 */
export const APPLICATION_HEALTH_LUA = `local hs = { status = "Progressing", message = "Waiting for the Application to report its health" }
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  hs.message = obj.status.health.message or ""
end
return hs
`;

/** The argocd-cm key ArgoCD reads the Application health check from (`<group>_<kind>`). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * A merge patch for argocd-cm, applied with
 * `kubectl -n argocd patch configmap argocd-cm --type merge --patch-file <file>`.
 * It lives outside the folders ArgoCD and `kubectl apply -f` read: applied as a whole
 * ConfigMap it would replace argocd-cm. It names the object it patches (the same values merge
 * as no-ops), so that it is also a valid ConfigMap document for `npm run validate`.
 */
export function healthPatch(): string {
  return toYaml([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA } }]);
}
