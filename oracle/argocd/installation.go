package main

import (
	"context"
	"fmt"

	"github.com/argoproj/argo-cd/v3/util/db"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// argocdNamespace is where the installation's settings, clusters, projects and Applications live.
const argocdNamespace = "argocd"

// clusterInput is a cluster registered with `argocd cluster add`: a Secret labelled as a cluster.
type clusterInput struct {
	Server string `json:"server"`
	Name   string `json:"name,omitempty"`
	// The project the cluster is scoped to (a project-scoped cluster).
	Project string `json:"project,omitempty"`
}

// installation is an Argo CD installation as its own code reads it: argocd-cm, argocd-secret
// and cluster Secrets in a fake clientset, through argo-cd's SettingsManager and ArgoDB.
type installation struct {
	settings *settings.SettingsManager
	db       db.ArgoDB
}

func newInstallation(ctx context.Context, argocdCM map[string]string, clusters []clusterInput) *installation {
	objects := []runtime.Object{
		// The settings manager only watches ConfigMaps labelled as part of Argo CD (settings.go partOfArgoCDSelector).
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}, Data: argocdCM},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: argocdNamespace}, Data: map[string][]byte{"server.secretkey": []byte("oracle")}},
	}
	for i, cluster := range clusters {
		data := map[string][]byte{"server": []byte(cluster.Server), "config": []byte("{}")}
		if cluster.Name != "" {
			data["name"] = []byte(cluster.Name)
		}
		if cluster.Project != "" {
			data["project"] = []byte(cluster.Project)
		}
		objects = append(objects, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cluster-%d", i), Namespace: argocdNamespace, Labels: map[string]string{"argocd.argoproj.io/secret-type": "cluster"}},
			Data:       data,
		})
	}
	clientset := fake.NewClientset(objects...)
	manager := settings.NewSettingsManager(ctx, clientset, argocdNamespace)
	return &installation{settings: manager, db: db.NewDB(argocdNamespace, manager, clientset)}
}
