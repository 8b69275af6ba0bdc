package main

// `verify`: one environment's render applied to a real control plane as Argo CD's server-side
// sync applies it, and every pod its templates make created (dry run).

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type VerifyInput struct {
	CRDs []string `json:"crds"`
	// Prerequisites: files of objects the environment declares it needs from outside (created first, for real).
	Prerequisites []string `json:"prerequisites"`
	// Previous: the render at a ref, applied (for real) before the current one, whose objects are then updates.
	Previous []string `json:"previous,omitempty"`
	Current  []string `json:"current"`
	// ExtraPods: pods that no kind of the render holds as a template, but a controller makes
	// from text (the Jenkins agents' pod templates in a JCasC ConfigMap).
	ExtraPods []ExtraPod `json:"extraPods,omitempty"`
}

type ExtraPod struct {
	Source    string                 `json:"source"`
	Namespace string                 `json:"namespace"`
	Pod       map[string]interface{} `json:"pod"`
}

type PhaseResult struct {
	ReadErrors []string        `json:"readErrors,omitempty"`
	Objects    []ObjectVerdict `json:"objects"`
}

type VerifyResult struct {
	CRDs          []string          `json:"crds"`
	Prerequisites PhaseResult       `json:"prerequisites"`
	Previous      *PhaseResult      `json:"previous,omitempty"`
	Current       PhaseResult       `json:"current"`
	ExtraPods     []ExtraPodVerdict `json:"extraPods,omitempty"`
}

type ExtraPodVerdict struct {
	Source  string  `json:"source"`
	Verdict Verdict `json:"verdict"`
}

func Verify(ctx context.Context, cp *ControlPlane, input VerifyInput) (*VerifyResult, error) {
	k := NewKubectl(cp)
	crds, err := k.InstallCRDs(ctx, cp, input.CRDs)
	if err != nil {
		return nil, err
	}
	result := &VerifyResult{CRDs: crds}
	result.Prerequisites = applyAll(ctx, k, cp, input.Prerequisites, false)
	if len(input.Previous) > 0 {
		previous := applyAll(ctx, k, cp, input.Previous, false)
		result.Previous = &previous
	}
	// Pods are judged on a fresh apply only: on an update, the render's pods were judged when it was new.
	result.Current = applyAll(ctx, k, cp, input.Current, len(input.Previous) == 0)
	for _, extra := range input.ExtraPods {
		result.ExtraPods = append(result.ExtraPods, ExtraPodVerdict{Source: extra.Source, Verdict: k.CreatePod(ctx, extra.Namespace, extra.Pod)})
	}
	return result, nil
}

// applyAll applies every object of the files in order, for real; with pods, the pod each
// accepted template makes is created, dry run.
func applyAll(ctx context.Context, k *Kubectl, cp *ControlPlane, files []string, pods bool) PhaseResult {
	result := PhaseResult{Objects: []ObjectVerdict{}}
	if len(files) == 0 {
		return result
	}
	read := k.Read(files)
	result.ReadErrors = read.Errors
	for _, info := range read.Infos {
		obj, v := k.Apply(ctx, info, false)
		ov := ObjectVerdict{Ref: refOf(info), Verdict: v}
		if v.Accepted {
			if err := ensureDefaultServiceAccount(ctx, cp, info); err != nil {
				ov.Verdict.Warnings = append(ov.Verdict.Warnings, err.Error())
			}
			// A CRD in the render (none today) would need discovery refreshed for what follows.
			if strings.EqualFold(info.Object.GetObjectKind().GroupVersionKind().Kind, "CustomResourceDefinition") {
				k.Refresh()
			}
			if applied, ok := obj.(*unstructured.Unstructured); ok && pods {
				if pod, ok := PodFromTemplate(applied); ok {
					pv := k.CreatePod(ctx, applied.GetNamespace(), pod)
					ov.Pod = &pv
				}
			}
		}
		result.Objects = append(result.Objects, ov)
	}
	return result
}

func (r *VerifyResult) String() string {
	return fmt.Sprintf("%d CRDs, %d objects", len(r.CRDs), len(r.Current.Objects))
}
