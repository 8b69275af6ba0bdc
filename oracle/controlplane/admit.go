package main

// The differential oracle: for each case (a file, or a previous and a current file), what kubectl
// reads from it and what the API server answers for each object (a server-side apply, dry run;
// for an update, the previous version stored first), and for each pod template the pod a
// controller would create from it (dry run: pod validation and Pod Security admission).

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/cli-runtime/pkg/resource"
)

// AdmitInput is read from standard input.
type AdmitInput struct {
	// CRDs to install first (files or folders of YAML).
	CRDs []string `json:"crds"`
	// Setup files are applied for real before any case (namespaces with their Pod Security labels).
	Setup []string    `json:"setup"`
	Cases []AdmitCase `json:"cases"`
}

type AdmitCase struct {
	ID    string   `json:"id"`
	Files []string `json:"files"`
	// Previous: the objects as stored before; each object of Files is then judged as an update.
	Previous []string `json:"previous,omitempty"`
}

type ObjectVerdict struct {
	Ref     Ref      `json:"ref"`
	Verdict Verdict  `json:"verdict"`
	Pod     *Verdict `json:"pod,omitempty"`
}

type CaseResult struct {
	ID string `json:"id"`
	// ReadErrors: documents kubectl could not read or map to a kind the server serves.
	ReadErrors []string        `json:"readErrors,omitempty"`
	Objects    []ObjectVerdict `json:"objects"`
	// Unread: documents kubectl read but could not map to a kind or decode (their order among
	// the objects is not known: kubectl reports them together at the end).
	Unread []string `json:"unread,omitempty"`
	// PreviousRefused: the previous version could not be stored, so the update was not judged.
	PreviousRefused []string `json:"previousRefused,omitempty"`
}

func Admit(ctx context.Context, cp *ControlPlane, input AdmitInput) ([]CaseResult, error) {
	k := NewKubectl(cp)
	if _, err := k.InstallCRDs(ctx, cp, input.CRDs); err != nil {
		return nil, err
	}
	if len(input.Setup) > 0 {
		read := k.Read(input.Setup)
		if len(read.Errors) > 0 {
			return nil, fmt.Errorf("reading the setup: %v", read.Errors)
		}
		for _, info := range read.Infos {
			if _, v := k.Apply(ctx, info, false); !v.Accepted {
				return nil, fmt.Errorf("setup object %s refused: %s", refOf(info), v.Message)
			}
			if err := ensureDefaultServiceAccount(ctx, cp, info); err != nil {
				return nil, err
			}
		}
	}
	dyn, err := dynamic.NewForConfig(cp.Config)
	if err != nil {
		return nil, err
	}
	results := make([]CaseResult, 0, len(input.Cases))
	for _, c := range input.Cases {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		results = append(results, admitCase(ctx, k, dyn, c))
	}
	return results, nil
}

func admitCase(ctx context.Context, k *Kubectl, dyn dynamic.Interface, c AdmitCase) CaseResult {
	result := CaseResult{ID: c.ID, Objects: []ObjectVerdict{}}
	// Every object the case stores is put back as it was afterwards (or deleted, if it was not
	// there), so that the next case starts from the setup alone.
	var touched []snapshot
	defer func() {
		for i := len(touched) - 1; i >= 0; i-- {
			touched[i].restore(ctx, k, dyn)
		}
	}()
	store := func(info *resource.Info, dryRun bool) (runtime.Object, Verdict) {
		if !dryRun {
			touched = append(touched, take(ctx, dyn, info))
		}
		return k.Apply(ctx, info, dryRun)
	}
	if len(c.Previous) > 0 {
		previous := k.Read(c.Previous)
		result.PreviousRefused = append(result.PreviousRefused, previous.Errors...)
		for _, info := range previous.Infos {
			if _, v := store(info, false); !v.Accepted {
				result.PreviousRefused = append(result.PreviousRefused, fmt.Sprintf("%s: %s", refOf(info), v.Message))
			}
		}
		if len(result.PreviousRefused) > 0 {
			return result
		}
	}
	read := k.Read(c.Files)
	// kubectl reports a stream it cannot read as "error parsing <file>: ..." and stops reading
	// it; a document it read but cannot map or decode is skipped with an error of its own.
	for _, e := range read.Errors {
		if strings.HasPrefix(e, "error parsing ") {
			result.ReadErrors = append(result.ReadErrors, e)
		} else {
			result.Unread = append(result.Unread, e)
		}
	}
	// Applied for real, in order, as `kubectl apply -f` applies a file: a pod of the file finds
	// the namespace and the service account the file creates before it.
	var applied []*unstructured.Unstructured
	for _, entry := range read.Entries {
		if entry.Info == nil {
			continue
		}
		obj, v := store(entry.Info, false)
		result.Objects = append(result.Objects, ObjectVerdict{Ref: refOf(entry.Info), Verdict: v})
		u, _ := obj.(*unstructured.Unstructured)
		applied = append(applied, u)
		if v.Accepted {
			_ = ensureDefaultServiceAccount(ctx, k.cp, entry.Info)
		}
	}
	if len(c.Previous) == 0 {
		for i, u := range applied {
			if u == nil || !result.Objects[i].Verdict.Accepted {
				continue
			}
			if pod, ok := PodFromTemplate(u); ok {
				pv := k.CreatePod(ctx, u.GetNamespace(), pod)
				result.Objects[i].Pod = &pv
			}
		}
	}
	return result
}

// snapshot is an object as it was before a case stored its own version.
type snapshot struct {
	info    *resource.Info
	existed *unstructured.Unstructured
}

func take(ctx context.Context, dyn dynamic.Interface, info *resource.Info) snapshot {
	current, err := resourceFor(dyn, info).Get(ctx, info.Name, metav1.GetOptions{})
	if err != nil {
		return snapshot{info: info}
	}
	// As it was applied: without what the server adds.
	for _, field := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink"} {
		unstructured.RemoveNestedField(current.Object, "metadata", field)
	}
	delete(current.Object, "status")
	return snapshot{info: info, existed: current}
}

func (s snapshot) restore(ctx context.Context, k *Kubectl, dyn dynamic.Interface) {
	if s.existed == nil {
		remove(ctx, dyn, s.info)
		return
	}
	// Applied again by the same field manager: fields the case added are dropped.
	info := *s.info
	info.Object = s.existed
	_, _ = k.Apply(ctx, &info, false)
}

func resourceFor(dyn dynamic.Interface, info *resource.Info) dynamic.ResourceInterface {
	client := dyn.Resource(info.Mapping.Resource)
	if info.Namespaced() {
		return client.Namespace(info.Namespace)
	}
	return client
}

// ReadErrors are the read errors, as a list to report.
func (r ReadResult) ReadErrors() []string { return r.Errors }

// remove deletes a stored object, finalizers first (no controller runs here to remove them).
func remove(ctx context.Context, dyn dynamic.Interface, info *resource.Info) {
	// A namespace cannot go here (no controller empties it): it stays, as the setup's do.
	if info.Object.GetObjectKind().GroupVersionKind().Kind == "Namespace" {
		return
	}
	ri := resourceFor(dyn, info)
	_, _ = ri.Patch(ctx, info.Name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	policy := metav1.DeletePropagationBackground
	_ = ri.Delete(ctx, info.Name, metav1.DeleteOptions{PropagationPolicy: &policy})
}

// ensureDefaultServiceAccount does what kube-controller-manager's service account controller
// does for every namespace (pkg/controller/serviceaccount/serviceaccounts_controller.go): it
// creates the "default" ServiceAccount, which pods that name none use and the ServiceAccount
// admission plugin requires.
func ensureDefaultServiceAccount(ctx context.Context, cp *ControlPlane, info *resource.Info) error {
	if info.Object.GetObjectKind().GroupVersionKind().Kind != "Namespace" {
		return nil
	}
	sa := map[string]interface{}{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]interface{}{"name": "default", "namespace": info.Name}}
	dyn, err := dynamic.NewForConfig(cp.Config)
	if err != nil {
		return err
	}
	_, err = dyn.Resource(serviceAccounts).Namespace(info.Name).Create(ctx, &unstructured.Unstructured{Object: sa}, metav1.CreateOptions{})
	if err != nil && !isAlreadyExists(err) {
		return fmt.Errorf("creating the default ServiceAccount of namespace %s: %w", info.Name, err)
	}
	return nil
}
