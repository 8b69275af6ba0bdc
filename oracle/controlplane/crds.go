package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRDs applies every CustomResourceDefinition of the given files and folders and waits
// until each is Established (its kinds served), then refreshes what kubectl knows of the API.
func (k *Kubectl) InstallCRDs(ctx context.Context, cp *ControlPlane, paths []string) ([]string, error) {
	var files []string
	for _, path := range paths {
		matches, err := filepath.Glob(filepath.Join(path, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			matches = []string{path}
		}
		files = append(files, matches...)
	}
	read := k.Read(files)
	if len(read.Errors) > 0 {
		return nil, fmt.Errorf("reading the CRDs: %v", read.Errors)
	}
	var names []string
	for _, info := range read.Infos {
		if info.Object.GetObjectKind().GroupVersionKind().Kind != "CustomResourceDefinition" {
			continue
		}
		if _, v := k.Apply(ctx, info, false); !v.Accepted {
			return nil, fmt.Errorf("CRD %s refused: %s", info.Name, v.Message)
		}
		names = append(names, info.Name)
	}
	client, err := dynamic.NewForConfig(cp.Config)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, name := range names {
		for {
			crd, err := client.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
			if err == nil && established(crd) {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("CRD %s not Established after 60 s", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	k.Refresh()
	return names, nil
}

func established(crd *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conditions {
		if m, ok := c.(map[string]interface{}); ok && m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// Refresh forgets what kubectl discovered of the API (after CRDs are added).
func (k *Kubectl) Refresh() {
	if d, err := k.flags.ToDiscoveryClient(); err == nil {
		d.Invalidate()
	}
	if m, err := k.flags.ToRESTMapper(); err == nil {
		if r, ok := m.(meta.ResettableRESTMapper); ok {
			r.Reset()
		}
	}
}
