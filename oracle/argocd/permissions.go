package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

type permissionsInput struct {
	// Clusters registered in the installation; the in-cluster one is there unless argocd-cm disables it.
	Clusters []clusterInput    `json:"clusters"`
	Cases    []permissionsCase `json:"cases"`
}

type groupKind struct {
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Namespaced bool   `json:"namespaced"`
}

type permissionsCase struct {
	ID      string          `json:"id"`
	Project json.RawMessage `json:"project"`
	// An Application, or an ApplicationSet whose template's spec is checked.
	Application json.RawMessage `json:"application"`
	// Kinds the Application's source holds: the controller checks each against the project when it syncs.
	Kinds []groupKind `json:"kinds,omitempty"`
	// Namespaces the Application's objects are in: each must be a permitted destination on the same cluster.
	Namespaces []string `json:"namespaces,omitempty"`
}

type condition struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type permissionsVerdict struct {
	ID string `json:"id"`
	// util/argo ValidatePermissions: what the API server's and the controller's spec validation report.
	Conditions []condition `json:"conditions"`
	// AppProject.IsGroupKindPermitted for each of the case's kinds.
	Kinds []bool `json:"kinds"`
	// AppProject.IsDestinationPermitted on the resolved cluster for each of the case's namespaces (null: no cluster).
	Namespaces []*bool `json:"namespaces"`
}

func runPermissions(input []byte) (any, error) {
	var in permissionsInput
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("reading the corpus: %w", err)
	}
	ctx := context.Background()
	argocd := newInstallation(ctx, map[string]string{}, in.Clusters)
	verdicts := make([]permissionsVerdict, 0, len(in.Cases))
	for _, c := range in.Cases {
		verdict, err := permissionsOf(ctx, argocd, c)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		verdicts = append(verdicts, verdict)
	}
	return verdicts, nil
}

// applicationSpec is an Application's spec, or an ApplicationSet's template spec.
func applicationSpec(raw json.RawMessage) (*v1alpha1.ApplicationSpec, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	if head.Kind == "ApplicationSet" {
		var set v1alpha1.ApplicationSet
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, err
		}
		return &set.Spec.Template.Spec, nil
	}
	var app v1alpha1.Application
	if err := json.Unmarshal(raw, &app); err != nil {
		return nil, err
	}
	return &app.Spec, nil
}

func permissionsOf(ctx context.Context, argocd *installation, c permissionsCase) (permissionsVerdict, error) {
	verdict := permissionsVerdict{ID: c.ID, Conditions: []condition{}, Kinds: []bool{}, Namespaces: []*bool{}}
	var project v1alpha1.AppProject
	if err := json.Unmarshal(c.Project, &project); err != nil {
		return verdict, fmt.Errorf("project: %w", err)
	}
	spec, err := applicationSpec(c.Application)
	if err != nil {
		return verdict, fmt.Errorf("application: %w", err)
	}
	conditions, err := argo.ValidatePermissions(ctx, spec, &project, argocd.db)
	if err != nil {
		return verdict, fmt.Errorf("ValidatePermissions: %w", err)
	}
	for _, cond := range conditions {
		verdict.Conditions = append(verdict.Conditions, condition{Type: cond.Type, Message: cond.Message})
	}
	for _, gk := range c.Kinds {
		verdict.Kinds = append(verdict.Kinds, project.IsGroupKindPermitted(schema.GroupKind{Group: gk.Group, Kind: gk.Kind}, gk.Namespaced))
	}
	// As the controller's permission validator does for every namespaced object it syncs (controller/sync.go).
	cluster, clusterErr := argo.GetDestinationCluster(ctx, spec.Destination, argocd.db)
	for _, namespace := range c.Namespaces {
		if clusterErr != nil {
			verdict.Namespaces = append(verdict.Namespaces, nil)
			continue
		}
		permitted, err := project.IsDestinationPermitted(cluster, namespace, func(name string) ([]*v1alpha1.Cluster, error) {
			return argocd.db.GetProjectClusters(ctx, name)
		})
		if err != nil {
			return verdict, fmt.Errorf("IsDestinationPermitted: %w", err)
		}
		verdict.Namespaces = append(verdict.Namespaces, &permitted)
	}
	return verdict, nil
}
