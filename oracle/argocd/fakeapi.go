package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/kube/kubetest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/util/openapi"
)

// fakeAPI is the cluster a sync context talks to: discovery of every kind the corpus uses (so
// that the sync's permission and dry-run checks find them), established CRDs, and updates and
// deletions of hooks, which it writes to the journal of the operation it serves. Applies do not
// reach it: gitops-engine sends them through the kubectl resource operations, which
// recordingKubectl writes to the same journal.
type fakeAPI struct {
	server        *httptest.Server
	clusterScoped map[schema.GroupKind]bool
	// group/version → kinds served
	served map[string]map[string]bool
	// plural resource name → kind, per group/version
	kinds map[string]map[string]string

	lock    sync.Mutex
	journal *journal
}

// change is one thing a sync context did to the cluster: exactly one field is set.
type change struct {
	applied *unstructured.Unstructured
	updated *unstructured.Unstructured
	deleted *kube.ResourceKey
}

// journal records, in the order they happen, the objects a sync operation applies, updates (hook
// finalizers removed) and deletes (hooks), and knows which objects exist: the API server answers
// 404 to deleting or updating one that does not, which gitops-engine reads as already gone
// (sync_context.go runTasks, removeHookFinalizer). A hook deleted on failure and then deleted
// again before it is created anew in the same reconciliation is created there and then.
type journal struct {
	lock          sync.Mutex
	changes       []change
	exists        map[kube.ResourceKey]bool
	clusterScoped map[schema.GroupKind]bool
}

func newJournal(clusterScoped map[schema.GroupKind]bool, live map[kube.ResourceKey]*unstructured.Unstructured) *journal {
	j := &journal{exists: map[kube.ResourceKey]bool{}, clusterScoped: clusterScoped}
	for k := range live {
		j.exists[k] = true
	}
	return j
}

// key is an object's key as the journal keeps it: no namespace for a cluster-scoped kind.
func (j *journal) key(group, kind, namespace, name string) kube.ResourceKey {
	if j.clusterScoped[schema.GroupKind{Group: group, Kind: kind}] {
		namespace = ""
	}
	return kube.NewResourceKey(group, kind, namespace, name)
}

func (j *journal) apply(object *unstructured.Unstructured, refused bool) {
	j.lock.Lock()
	defer j.lock.Unlock()
	j.changes = append(j.changes, change{applied: object.DeepCopy()})
	if !refused {
		gvk := object.GroupVersionKind()
		j.exists[j.key(gvk.Group, gvk.Kind, object.GetNamespace(), object.GetName())] = true
	}
}

// update records an update and says whether the object exists.
func (j *journal) update(object *unstructured.Unstructured) bool {
	j.lock.Lock()
	defer j.lock.Unlock()
	gvk := object.GroupVersionKind()
	if !j.exists[j.key(gvk.Group, gvk.Kind, object.GetNamespace(), object.GetName())] {
		return false
	}
	j.changes = append(j.changes, change{updated: object})
	return true
}

// remove records a deletion and says whether the object existed.
func (j *journal) remove(k kube.ResourceKey) bool {
	j.lock.Lock()
	defer j.lock.Unlock()
	k = j.key(k.Group, k.Kind, k.Namespace, k.Name)
	if !j.exists[k] {
		return false
	}
	delete(j.exists, k)
	j.changes = append(j.changes, change{deleted: &k})
	return true
}

// take returns and forgets the changes since the last call, in the order they happened.
func (j *journal) take() []change {
	j.lock.Lock()
	defer j.lock.Unlock()
	changes := j.changes
	j.changes = nil
	return changes
}

func notFound(w http.ResponseWriter, what string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Reason: metav1.StatusReasonNotFound, Code: http.StatusNotFound, Message: what + " not found"})
}

func plural(kind string) string { return strings.ToLower(kind) + "s" }

func newFakeAPI(kinds []schema.GroupVersionKind, clusterScoped map[schema.GroupKind]bool) *fakeAPI {
	api := &fakeAPI{clusterScoped: clusterScoped, served: map[string]map[string]bool{}, kinds: map[string]map[string]string{}}
	for _, gvk := range kinds {
		gv := gvk.GroupVersion().String()
		if api.served[gv] == nil {
			api.served[gv] = map[string]bool{}
			api.kinds[gv] = map[string]string{}
		}
		api.served[gv][gvk.Kind] = true
		api.kinds[gv][plural(gvk.Kind)] = gvk.Kind
	}
	api.server = httptest.NewServer(http.HandlerFunc(api.handle))
	return api
}

func (api *fakeAPI) config() *rest.Config { return &rest.Config{Host: api.server.URL} }

func (api *fakeAPI) close() { api.server.Close() }

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(value)
}

// resourcePath splits /api/v1/... or /apis/<group>/<version>/... into the group/version and the rest.
func resourcePath(path string) (gv string, rest []string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		return parts[1], parts[2:], true
	case len(parts) >= 3 && parts[0] == "apis":
		return parts[1] + "/" + parts[2], parts[3:], true
	}
	return "", nil, false
}

func (api *fakeAPI) handle(w http.ResponseWriter, r *http.Request) {
	gv, rest, ok := resourcePath(r.URL.Path)
	if !ok {
		if r.URL.Path == "/version" {
			writeJSON(w, map[string]string{"major": "1", "minor": "33", "gitVersion": "v1.33.1"})
			return
		}
		http.NotFound(w, r)
		return
	}
	if len(rest) == 0 && r.Method == http.MethodGet {
		api.discovery(w, r, gv)
		return
	}
	var namespace, resource, name string
	if len(rest) >= 2 && rest[0] == "namespaces" && len(rest) >= 3 {
		namespace, rest = rest[1], rest[2:]
	}
	if len(rest) >= 1 {
		resource = rest[0]
	}
	if len(rest) >= 2 {
		name = rest[1]
	}
	switch r.Method {
	case http.MethodGet:
		if gv == "apiextensions.k8s.io/v1" && resource == "customresourcedefinitions" && name != "" {
			// ensureCRDReady: a CRD of the sync is established as soon as it is applied.
			writeJSON(w, map[string]any{
				"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": map[string]any{"name": name},
				"status": map[string]any{"conditions": []any{map[string]any{"type": "Established", "status": "True"}}},
			})
			return
		}
		http.NotFound(w, r)
	case http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		var object unstructured.Unstructured
		if err := object.UnmarshalJSON(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !api.current().update(&object) {
			notFound(w, name)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	case http.MethodDelete:
		group := ""
		if i := strings.Index(gv, "/"); i >= 0 {
			group = gv[:i]
		}
		if !api.current().remove(kube.NewResourceKey(group, api.kinds[gv][resource], namespace, name)) {
			notFound(w, name)
			return
		}
		writeJSON(w, metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess})
	default:
		http.Error(w, "not supported by the fake API", http.StatusMethodNotAllowed)
	}
}

func (api *fakeAPI) discovery(w http.ResponseWriter, r *http.Request, gv string) {
	kinds, ok := api.served[gv]
	if !ok {
		http.NotFound(w, r)
		return
	}
	group := ""
	if i := strings.Index(gv, "/"); i >= 0 {
		group = gv[:i]
	}
	list := metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv}
	for kind := range kinds {
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: plural(kind), Kind: kind, Namespaced: !api.clusterScoped[schema.GroupKind{Group: group, Kind: kind}],
			Verbs: metav1.Verbs{"get", "list", "watch", "create", "update", "patch", "delete"},
		})
	}
	writeJSON(w, list)
}

// serve makes the API server answer for the operation that journal records.
func (api *fakeAPI) serve(j *journal) {
	api.lock.Lock()
	defer api.lock.Unlock()
	api.journal = j
}

func (api *fakeAPI) current() *journal {
	api.lock.Lock()
	defer api.lock.Unlock()
	return api.journal
}

// recordingKubectl is gitops-engine's own mock kubectl whose resource operations record every
// object applied for real (not dry runs), in the order the sync context applies them.
type recordingKubectl struct {
	*kubetest.MockKubectlCmd
	ops *recordingOps
}

func (k *recordingKubectl) ManageResources(_ *rest.Config, _ openapi.Resources) (kube.ResourceOperations, func(), error) {
	return k.ops, func() {}, nil
}

type recordingOps struct {
	journal *journal
	// What the API server answers to applying an object, by resource key: an error the sync reports.
	refusals map[string]string
}

// record notes an object applied for real, and returns the API server's refusal of it, if any.
func (o *recordingOps) record(object *unstructured.Unstructured, dryRun util.DryRunStrategy) error {
	if dryRun != util.DryRunNone {
		return nil
	}
	refusal, refused := o.refusals[keyString(kube.GetResourceKey(object))]
	o.journal.apply(object, refused)
	if refused {
		return errors.New(refusal)
	}
	return nil
}

func (o *recordingOps) ApplyResource(_ context.Context, object *unstructured.Unstructured, dryRun util.DryRunStrategy, _, _, _ bool, _ string) (string, error) {
	return "", o.record(object, dryRun)
}

func (o *recordingOps) ReplaceResource(_ context.Context, object *unstructured.Unstructured, dryRun util.DryRunStrategy, _ bool) (string, error) {
	return "", o.record(object, dryRun)
}

func (o *recordingOps) CreateResource(_ context.Context, object *unstructured.Unstructured, dryRun util.DryRunStrategy, _ bool) (string, error) {
	return "", o.record(object, dryRun)
}

func (o *recordingOps) UpdateResource(_ context.Context, object *unstructured.Unstructured, dryRun util.DryRunStrategy) (*unstructured.Unstructured, error) {
	return object, o.record(object, dryRun)
}
