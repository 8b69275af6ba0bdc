import { toYaml } from './layout';

/**
 * ArgoCD health for Karpenter's NodePool and EC2NodeClass, for ArgoCD releases that do not
 * assess them: the Ready condition decides (True → Healthy, False → Degraded with its message,
 * absent or Unknown → Progressing).
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#custom-health-checks
 */
export const KARPENTER_HEALTH_LUA = `local hs = { status = "Progressing", message = "Waiting for the Ready condition" }
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      if condition.status == "True" then
        hs.status = "Healthy"
        hs.message = condition.message or "Ready"
      elseif condition.status == "False" then
        hs.status = "Degraded"
        hs.message = condition.message or condition.reason or "Not ready"
      else
        hs.message = condition.message or "Ready is Unknown"
      end
    end
  end
end
return hs
`;

/** Kinds the health check is registered for, as argocd-cm keys (`<group>_<kind>`). */
export const HEALTH_KINDS = ['karpenter.sh_NodePool', 'karpenter.k8s.aws_EC2NodeClass'] as const;

/**
 * A merge patch for argocd-cm, applied with
 * `kubectl -n argocd patch configmap argocd-cm --type merge --patch-file <file>`.
 * It lives outside the folders ArgoCD and `kubectl apply -f` read: applied as a whole
 * ConfigMap it would replace argocd-cm. It names the object it patches (the same values merge
 * as no-ops), so that it is also a valid ConfigMap document for `npm run validate`.
 */
export function healthPatch(): string {
  const data = Object.fromEntries(HEALTH_KINDS.map((kind) => [`resource.customizations.health.${kind}`, KARPENTER_HEALTH_LUA]));
  return toYaml([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data }]);
}
