package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/kube/kubetest"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

type syncInput struct {
	// argocd-cm's data: its health customizations decide which objects a wave waits for.
	ArgocdCM map[string]string `json:"argocdCm"`
	// Kinds the API server serves cluster-scoped, as group/Kind ("/Namespace" for the core group).
	ClusterScoped []string       `json:"clusterScoped"`
	Clusters      []clusterInput `json:"clusters"`
	Cases         []syncCase     `json:"cases"`
}

// syncCase is one sync operation of an Application on an empty cluster.
type syncCase struct {
	ID string `json:"id"`
	// The Application's destination: its namespace is the default for objects without one.
	Namespace string `json:"namespace"`
	Server    string `json:"server"`
	// The Application's AppProject: when given, every object is checked against it as the controller does.
	Project     json.RawMessage `json:"project,omitempty"`
	SyncOptions []string        `json:"syncOptions,omitempty"`
	Resources   []syncResource  `json:"resources"`
}

type syncResource struct {
	Target map[string]any `json:"target"`
	// The status the object's controller gives it once applied (absent: the object as applied).
	Status any `json:"status,omitempty"`
	// Live before the operation starts, as an earlier operation left it, with this status ({}:
	// none): a retry, or the next sync, of an Application whose hooks and resources exist.
	Before any `json:"before,omitempty"`
	// The API server's answer when the sync applies the object: it refuses it with this error.
	Refusal string `json:"refusal,omitempty"`
}

type syncResult struct {
	Key       string `json:"key"`
	SyncPhase string `json:"syncPhase"`
	Status    string `json:"status"`
	HookPhase string `json:"hookPhase"`
	Message   string `json:"message"`
}

type syncVerdict struct {
	ID      string `json:"id"`
	Phase   string `json:"phase"`
	Message string `json:"message"`
	// Per call of the sync context (one reconciliation of the operation), the objects it applied,
	// in groups: a group is applied at once, and the next starts once it is applied.
	Steps   [][][]string `json:"steps"`
	Results []syncResult `json:"results"`
}

// A sync that neither finishes nor changes anything for this many calls waits forever.
const maxSyncCalls = 200

type resourceInfo map[schema.GroupKind]bool

func (r resourceInfo) IsNamespaced(gk schema.GroupKind) (bool, error) { return !r[gk], nil }

func keyString(k kube.ResourceKey) string {
	return fmt.Sprintf("%s/%s/%s/%s", k.Group, k.Kind, k.Namespace, k.Name)
}

func runSync(input []byte) (any, error) {
	var in syncInput
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("reading the corpus: %w", err)
	}
	ctx := context.Background()
	overrides, err := healthOverrides(ctx, in.ArgocdCM)
	if err != nil {
		return nil, err
	}
	argocd := newInstallation(ctx, in.ArgocdCM, in.Clusters)
	clusterScoped := resourceInfo{}
	for _, gk := range in.ClusterScoped {
		group, kind, _ := strings.Cut(gk, "/")
		clusterScoped[schema.GroupKind{Group: group, Kind: kind}] = true
	}
	var kinds []schema.GroupVersionKind
	for _, c := range in.Cases {
		for _, r := range c.Resources {
			gvk := (&unstructured.Unstructured{Object: r.Target}).GroupVersionKind()
			if !slices.Contains(kinds, gvk) {
				kinds = append(kinds, gvk)
			}
		}
	}
	api := newFakeAPI(kinds, clusterScoped)
	defer api.close()

	verdicts := make([]syncVerdict, 0, len(in.Cases))
	for _, c := range in.Cases {
		verdict, err := syncOperation(ctx, argocd, api, clusterScoped, overrides, c)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		verdicts = append(verdicts, verdict)
	}
	return verdicts, nil
}

// permissionValidator checks each object as the application controller does before it syncs
// (argo-cd v3.1.16 controller/sync.go SyncAppState, sync.WithPermissionValidator).
func permissionValidator(ctx context.Context, argocd *installation, project *v1alpha1.AppProject, server string) (common.PermissionValidator, error) {
	cluster, err := argo.GetDestinationCluster(ctx, v1alpha1.ApplicationDestination{Server: server}, argocd.db)
	if err != nil {
		return nil, err
	}
	return func(un *unstructured.Unstructured, res *metav1.APIResource) error {
		if !project.IsGroupKindPermitted(un.GroupVersionKind().GroupKind(), res.Namespaced) {
			return fmt.Errorf("resource %s:%s is not permitted in project %s", un.GroupVersionKind().Group, un.GroupVersionKind().Kind, project.Name)
		}
		if res.Namespaced {
			permitted, err := project.IsDestinationPermitted(cluster, un.GetNamespace(), func(name string) ([]*v1alpha1.Cluster, error) {
				return argocd.db.GetProjectClusters(ctx, name)
			})
			if err != nil {
				return err
			}
			if !permitted {
				return fmt.Errorf("namespace %v is not permitted in project '%s'", un.GetNamespace(), project.Name)
			}
		}
		return nil
	}, nil
}

// syncOperation runs one sync operation to its end the way the application controller does:
// each reconciliation makes a new sync context from the operation's state so far and the live
// objects, and calls Sync once. Applied objects become live with the status their case gives.
func syncOperation(ctx context.Context, argocd *installation, api *fakeAPI, clusterScoped resourceInfo, overrides lua.ResourceHealthOverrides, c syncCase) (syncVerdict, error) {
	verdict := syncVerdict{ID: c.ID, Steps: [][][]string{}, Results: []syncResult{}}
	liveKey := func(object *unstructured.Unstructured) kube.ResourceKey {
		gvk := object.GroupVersionKind()
		if clusterScoped[gvk.GroupKind()] {
			return kube.NewResourceKey(gvk.Group, gvk.Kind, "", object.GetName())
		}
		namespace := object.GetNamespace()
		if namespace == "" {
			namespace = c.Namespace
		}
		return kube.NewResourceKey(gvk.Group, gvk.Kind, namespace, object.GetName())
	}
	statuses := map[kube.ResourceKey]any{}
	refusals := map[string]string{}
	for _, r := range c.Resources {
		target := &unstructured.Unstructured{Object: r.Target}
		if r.Status != nil {
			statuses[liveKey(target)] = r.Status
		}
		if r.Refusal != "" {
			// gitops-engine applies objects with the Application's namespace set where they have none.
			namespace := target.GetNamespace()
			if namespace == "" {
				namespace = c.Namespace
			}
			gvk := target.GroupVersionKind()
			refusals[keyString(kube.NewResourceKey(gvk.Group, gvk.Kind, namespace, target.GetName()))] = r.Refusal
		}
	}

	options := []sync.SyncOpt{
		sync.WithLogr(logr.Discard()),
		sync.WithOperationSettings(false, true, false, false),
		sync.WithServerSideApply(slices.Contains(c.SyncOptions, "ServerSideApply=true")),
		sync.WithSkipDryRunOnMissingResource(slices.Contains(c.SyncOptions, "SkipDryRunOnMissingResource=true")),
		// Argo CD's health checks, argocd-cm's first, as controller/sync.go passes them.
		sync.WithHealthOverride(overrides),
	}
	if len(c.Project) > 0 {
		var project v1alpha1.AppProject
		if err := json.Unmarshal(c.Project, &project); err != nil {
			return verdict, fmt.Errorf("project: %w", err)
		}
		validator, err := permissionValidator(ctx, argocd, &project, c.Server)
		if err != nil {
			return verdict, fmt.Errorf("destination: %w", err)
		}
		options = append(options, sync.WithPermissionValidator(validator))
	}

	live := map[kube.ResourceKey]*unstructured.Unstructured{}
	for _, r := range c.Resources {
		if r.Before == nil {
			continue
		}
		object := (&unstructured.Unstructured{Object: r.Target}).DeepCopy()
		k := liveKey(object)
		if clusterScoped[object.GroupVersionKind().GroupKind()] {
			object.SetNamespace("")
		} else if object.GetNamespace() == "" {
			object.SetNamespace(c.Namespace)
		}
		object.SetUID(types.UID(keyString(k)))
		if status, ok := r.Before.(map[string]any); !ok || len(status) > 0 {
			object.Object["status"] = r.Before
		}
		live[k] = object
	}
	record := newJournal(clusterScoped, live)
	api.serve(record)
	ops := &recordingOps{journal: record, refusals: refusals}
	kubectl := &recordingKubectl{MockKubectlCmd: &kubetest.MockKubectlCmd{}, ops: ops}
	var phase common.OperationPhase
	var message string
	var results []common.ResourceSyncResult
	startedAt := metav1.Unix(0, 0)
	for call := 0; call < maxSyncCalls; call++ {
		targets := make([]*unstructured.Unstructured, 0, len(c.Resources))
		for _, r := range c.Resources {
			targets = append(targets, (&unstructured.Unstructured{Object: r.Target}).DeepCopy())
		}
		liveNow := map[kube.ResourceKey]*unstructured.Unstructured{}
		for k, object := range live {
			liveNow[k] = object.DeepCopy()
		}
		reconciled := sync.Reconcile(targets, liveNow, c.Namespace, clusterScoped)
		syncCtx, cleanup, err := sync.NewSyncContext("0123456789abcdef0123456789abcdef01234567", reconciled, api.config(), api.config(), kubectl, c.Namespace, nil,
			append(slices.Clone(options), sync.WithInitialState(phase, message, results, startedAt))...)
		if err != nil {
			return verdict, fmt.Errorf("NewSyncContext: %w", err)
		}
		syncCtx.Sync()
		cleanup()
		previous := struct {
			phase   common.OperationPhase
			message string
			results []common.ResourceSyncResult
		}{phase, message, results}
		phase, message, results = syncCtx.GetState()

		// The call's changes in the order it made them: a hook deleted, then applied again, is live.
		changes := record.take()
		var applied []*unstructured.Unstructured
		for _, change := range changes {
			switch {
			case change.applied != nil:
				object := change.applied
				applied = append(applied, object)
				if _, refused := refusals[keyString(kube.GetResourceKey(object))]; refused {
					continue
				}
				k := liveKey(object)
				object = object.DeepCopy()
				if clusterScoped[object.GroupVersionKind().GroupKind()] {
					// The API server drops the namespace gitops-engine sets on cluster-scoped objects.
					object.SetNamespace("")
				}
				// Reconcile tells duplicates (one object served under two groups) by uid: each object has its own.
				object.SetUID(types.UID(keyString(k)))
				if status, ok := statuses[k]; ok {
					object.Object["status"] = status
				}
				live[k] = object
			case change.updated != nil:
				if existing, ok := live[liveKey(change.updated)]; ok {
					existing.SetFinalizers(change.updated.GetFinalizers())
				}
			case change.deleted != nil:
				delete(live, *change.deleted)
			}
		}
		verdict.Steps = append(verdict.Steps, groupsOf(applied))
		if phase != common.OperationRunning {
			break
		}
		if len(changes) == 0 && previous.phase == phase && previous.message == message && reflect.DeepEqual(previous.results, results) {
			break
		}
	}
	// The last call changed nothing: drop it, so that a sync that waits ends on its last change.
	for len(verdict.Steps) > 0 && len(verdict.Steps[len(verdict.Steps)-1]) == 0 && phase == common.OperationRunning {
		verdict.Steps = verdict.Steps[:len(verdict.Steps)-1]
	}
	verdict.Phase, verdict.Message = string(phase), message
	for _, r := range results {
		verdict.Results = append(verdict.Results, syncResult{Key: keyString(r.ResourceKey), SyncPhase: string(r.SyncPhase), Status: string(r.Status), HookPhase: string(r.HookPhase), Message: r.Message})
	}
	slices.SortFunc(verdict.Results, func(a, b syncResult) int {
		return strings.Compare(a.Key+" "+a.SyncPhase, b.Key+" "+b.SyncPhase)
	})
	return verdict, nil
}

// groupsOf splits the objects applied in one call into the groups the sync context applied at
// once: runTasks applies the tasks of a wave kind by kind (consecutive tasks of one kind
// together, in goroutines), so the order inside a group is the scheduler's.
func groupsOf(applied []*unstructured.Unstructured) [][]string {
	groups := [][]string{}
	previous := ""
	for _, object := range applied {
		k := keyString(kube.GetResourceKey(object))
		if len(groups) == 0 || object.GetKind() != previous {
			groups = append(groups, []string{})
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], k)
		previous = object.GetKind()
	}
	for _, group := range groups {
		slices.Sort(group)
	}
	return groups
}
