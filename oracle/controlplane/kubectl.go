package main

// Reading and applying manifests as kubectl does: files are read by cli-runtime's resource
// builder exactly as `kubectl apply -f` configures it (k8s.io/kubectl v0.35.4
// pkg/cmd/apply/apply.go GetObjects: Unstructured, ContinueOnError, the default namespace,
// Flatten for `kind: List`), so empty and comment-only documents, JSON, multi-document streams
// and unknown kinds are what kubectl makes of them; each object is then sent as kubectl
// `apply --server-side` and Argo CD's server-side sync send it: the object as JSON, an apply
// patch with a field manager, conflicts forced, field validation Strict.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// FieldManager is Argo CD's: its server-side sync applies as "argocd-controller".
const FieldManager = "argocd-controller"

// warnings collects the Warning headers of the requests made since the last take.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(code int, agent string, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	taken := w.list
	w.list = nil
	return taken
}

// Kubectl reads and applies manifests against one control plane.
type Kubectl struct {
	cp       *ControlPlane
	flags    *genericclioptions.ConfigFlags
	warnings *warnings
	core     rest.Interface
}

func NewKubectl(cp *ControlPlane) *Kubectl {
	w := &warnings{}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &cp.Kubeconfig
	// Discovery is cached in the control plane's own folder, never in ~/.kube.
	cacheDir := filepath.Join(cp.Dir, "kube-cache")
	flags.CacheDir = &cacheDir
	flags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		c.WarningHandler = w
		c.QPS, c.Burst = 1000, 1000
		return c
	}
	config := rest.CopyConfig(cp.Config)
	config.WarningHandler = w
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		// Only a malformed configuration fails here, and this one is made by Start.
		panic(err)
	}
	return &Kubectl{cp: cp, flags: flags, warnings: w, core: client.CoreV1().RESTClient()}
}

// ReadResult is what kubectl made of the files: the objects it would apply, and the errors it
// reports for the documents it could not read or map (kubectl carries on past them and fails at
// the end). Entries keep both in document order.
type ReadResult struct {
	Infos   []*resource.Info
	Errors  []string
	Entries []ReadEntry
}

// ReadEntry is one document as kubectl read it: an object, or the error it reports for it.
type ReadEntry struct {
	Info  *resource.Info
	Error string
}

// Read reads files or folders as `kubectl apply -f` does (folders not recursive, as kubectl's default).
func (k *Kubectl) Read(paths []string) ReadResult {
	r := resource.NewBuilder(k.flags).
		Unstructured().
		ContinueOnError().
		NamespaceParam("default").DefaultNamespace().
		FilenameParam(false, &resource.FilenameOptions{Filenames: paths}).
		Flatten().
		Do()
	var result ReadResult
	err := r.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			result.Errors = append(result.Errors, err.Error())
			result.Entries = append(result.Entries, ReadEntry{Error: err.Error()})
			return nil
		}
		result.Infos = append(result.Infos, info)
		result.Entries = append(result.Entries, ReadEntry{Info: info})
		return nil
	})
	if err != nil {
		// An aggregate of the errors already seen, or an error reading the stream itself.
		var agg interface{ Errors() []error }
		if errors.As(err, &agg) {
			for _, e := range agg.Errors() {
				result.Errors = appendNew(result.Errors, e.Error())
			}
		} else {
			result.Errors = appendNew(result.Errors, err.Error())
		}
	}
	return result
}

func appendNew(list []string, item string) []string {
	for _, existing := range list {
		if existing == item {
			return list
		}
	}
	return append(list, item)
}

// Cause is one field the API server names in a refusal.
type Cause struct {
	Field   string `json:"field,omitempty"`
	Type    string `json:"type,omitempty"`
	Message string `json:"message"`
}

// Verdict is the API server's answer to one request.
type Verdict struct {
	Accepted bool     `json:"accepted"`
	Reason   string   `json:"reason,omitempty"`
	Message  string   `json:"message,omitempty"`
	Causes   []Cause  `json:"causes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

func verdictOf(err error, warnings []string) Verdict {
	v := Verdict{Accepted: err == nil, Warnings: warnings}
	if err == nil {
		return v
	}
	v.Message = err.Error()
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		v.Reason = string(s.Reason)
		v.Message = s.Message
		if s.Details != nil {
			for _, c := range s.Details.Causes {
				v.Causes = append(v.Causes, Cause{Field: c.Field, Type: string(c.Type), Message: c.Message})
			}
		}
	}
	return v
}

// Ref names an object as a reader would: `Deployment spark/spark-worker`.
type Ref struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Source     string `json:"source,omitempty"`
}

func refOf(info *resource.Info) Ref {
	gvk := info.Object.GetObjectKind().GroupVersionKind()
	ref := Ref{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: info.Name, Source: info.Source}
	if info.Namespaced() {
		ref.Namespace = info.Namespace
	}
	return ref
}

func (r Ref) String() string {
	if r.Namespace != "" {
		return fmt.Sprintf("%s %s/%s", r.Kind, r.Namespace, r.Name)
	}
	return fmt.Sprintf("%s %s", r.Kind, r.Name)
}

// Apply sends one object as a server-side apply; dryRun asks the API server to admit it without storing it.
func (k *Kubectl) Apply(ctx context.Context, info *resource.Info, dryRun bool) (runtime.Object, Verdict) {
	k.warnings.take()
	data, err := runtime.Encode(unstructured.UnstructuredJSONScheme, info.Object)
	if err != nil {
		return nil, verdictOf(err, nil)
	}
	force := true
	obj, err := resource.NewHelper(info.Client, info.Mapping).
		DryRun(dryRun).
		WithFieldManager(FieldManager).
		WithFieldValidation(metav1.FieldValidationStrict).
		Patch(info.Namespace, info.Name, types.ApplyPatchType, data, &metav1.PatchOptions{Force: &force})
	v := verdictOf(err, k.warnings.take())
	if u, ok := info.Object.(*unstructured.Unstructured); ok && len(v.Causes) == 0 {
		v.Causes = typedCauses(v.Message, u.Object)
	}
	return obj, v
}

// CreatePod creates a pod, dry run: the API server's pod validation and admission (Pod Security
// enforce and warn, service accounts, priority classes) judge it as they judge the pods a
// controller creates from a template.
func (k *Kubectl) CreatePod(ctx context.Context, namespace string, pod map[string]interface{}) Verdict {
	k.warnings.take()
	body, err := json.Marshal(pod)
	if err != nil {
		return verdictOf(err, nil)
	}
	err = k.core.Post().Namespace(namespace).Resource("pods").
		Param("dryRun", "All").Param("fieldValidation", "Strict").Param("fieldManager", FieldManager).
		SetHeader("Content-Type", "application/json").Body(body).Do(ctx).Error()
	return verdictOf(err, k.warnings.take())
}

// PodTemplatePaths are where the workload kinds hold the template their controller makes pods from.
var PodTemplatePaths = map[string][]string{
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// PodFromTemplate is the pod a controller would create from an object's template: the
// template's metadata and spec, in the object's namespace, named after it.
func PodFromTemplate(obj *unstructured.Unstructured) (map[string]interface{}, bool) {
	path, ok := PodTemplatePaths[obj.GetKind()]
	if !ok || !strings.HasSuffix(obj.GetAPIVersion(), "v1") {
		return nil, false
	}
	template, found, err := unstructured.NestedMap(obj.Object, path...)
	if !found || err != nil {
		return nil, false
	}
	metadata, _, _ := unstructured.NestedMap(template, "metadata")
	if metadata == nil {
		metadata = map[string]interface{}{}
	}
	name := obj.GetName()
	if len(name) > 57 {
		name = name[:57]
	}
	metadata["name"] = name + "-oracle"
	metadata["namespace"] = obj.GetNamespace()
	delete(metadata, "creationTimestamp")
	spec, _, _ := unstructured.NestedMap(template, "spec")
	if obj.GetKind() == "StatefulSet" {
		addClaimVolumes(obj, spec)
	}
	return map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}, true
}

// addClaimVolumes does what the StatefulSet controller does to each pod it creates
// (pkg/controller/statefulset/stateful_set_utils.go updateStorage): a volume per claim template,
// named after it, bound to the pod's claim, replacing a volume of the same name.
func addClaimVolumes(set *unstructured.Unstructured, spec map[string]interface{}) {
	templates, _, _ := unstructured.NestedSlice(set.Object, "spec", "volumeClaimTemplates")
	if len(templates) == 0 || spec == nil {
		return
	}
	volumes, _ := spec["volumes"].([]interface{})
	for _, t := range templates {
		name, _, _ := unstructured.NestedString(t.(map[string]interface{}), "metadata", "name")
		if name == "" {
			continue
		}
		volume := map[string]interface{}{"name": name, "persistentVolumeClaim": map[string]interface{}{"claimName": name + "-" + set.GetName() + "-0"}}
		replaced := false
		for i, v := range volumes {
			if m, ok := v.(map[string]interface{}); ok && m["name"] == name {
				volumes[i], replaced = volume, true
			}
		}
		if !replaced {
			volumes = append(volumes, volume)
		}
	}
	spec["volumes"] = volumes
}

var serviceAccounts = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}

func isAlreadyExists(err error) bool { return apierrors.IsAlreadyExists(err) }
