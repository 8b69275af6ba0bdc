package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/gitops-engine/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type healthInput struct {
	// The data of argocd-cm: resource.customizations.health.<group>_<kind> keys add or replace health checks.
	ArgocdCM map[string]string `json:"argocdCm"`
	Objects  []map[string]any  `json:"objects"`
}

type healthVerdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// healthOverrides are the Lua health checks Argo CD's controller uses: argocd-cm's, then the ones
// built into argo-cd (resource_customizations/), as controller/sync.go and controller/health.go
// build them from the settings.
func healthOverrides(ctx context.Context, argocdCM map[string]string) (lua.ResourceHealthOverrides, error) {
	argocd := newInstallation(ctx, argocdCM, nil)
	overrides, err := argocd.settings.GetResourceOverrides()
	if err != nil {
		return nil, fmt.Errorf("reading argocd-cm's resource customizations: %w", err)
	}
	return lua.ResourceHealthOverrides(overrides), nil
}

// healthOf is gitops-engine's GetResourceHealth with Argo CD's overrides: nil when Argo CD
// assesses no health for the kind (the object counts as healthy once applied).
func healthOf(overrides lua.ResourceHealthOverrides, object *unstructured.Unstructured) *healthVerdict {
	status, err := health.GetResourceHealth(object, overrides)
	if status == nil && err != nil {
		// GetResourceHealth reports a failed check as Unknown with the error; keep that shape.
		return &healthVerdict{Status: string(health.HealthStatusUnknown), Message: err.Error()}
	}
	if status == nil {
		return nil
	}
	return &healthVerdict{Status: string(status.Status), Message: status.Message}
}

func runHealth(input []byte) (any, error) {
	var in healthInput
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("reading the objects: %w", err)
	}
	overrides, err := healthOverrides(context.Background(), in.ArgocdCM)
	if err != nil {
		return nil, err
	}
	verdicts := make([]*healthVerdict, 0, len(in.Objects))
	for _, object := range in.Objects {
		verdicts = append(verdicts, healthOf(overrides, &unstructured.Unstructured{Object: object}))
	}
	return verdicts, nil
}
