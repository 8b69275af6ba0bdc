package main

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/karpenter/pkg/utils/daemonset"
	"sigs.k8s.io/yaml"
)

//go:embed eks/daemonsets.yaml
var eksDaemonSetsYAML []byte

// workload is a pod template and how many of its pods run at rest and at peak.
type workload struct {
	namespace string
	name      string
	template  corev1.PodTemplateSpec
	idle      int
	peak      int
}

// workloads reads the pods an environment runs: Deployments and StatefulSets at their
// autoscaler's bounds (an HPA's minReplicas, default 1, and maxReplicas; a KEDA ScaledObject's
// minReplicaCount, default 0, and maxReplicaCount, default 100; else spec.replicas, default 1),
// Jobs at none at rest and their parallelism (default 1) while they run, and the pod templates of a
// Jenkins Kubernetes cloud configured as code (none at rest, the template's instanceCap or the
// cloud's containerCap, default 1, at peak, the cloud's cap shared among its templates).
func workloads(m *manifests) ([]workload, error) {
	var out []workload
	bounds := func(kind, namespace, name string, replicas *int32) (int, int) {
		for _, hpa := range m.hpas {
			ref := hpa.Spec.ScaleTargetRef
			if hpa.Namespace == namespace && ref.Kind == kind && ref.Name == name {
				min := 1
				if hpa.Spec.MinReplicas != nil {
					min = int(*hpa.Spec.MinReplicas)
				}
				return min, int(hpa.Spec.MaxReplicas)
			}
		}
		for _, so := range m.scaledObjects {
			refKind := so.Spec.ScaleTargetRef.Kind
			if refKind == "" {
				refKind = "Deployment"
			}
			if so.Metadata.Namespace == namespace && refKind == kind && so.Spec.ScaleTargetRef.Name == name {
				min, max := 0, 100
				if so.Spec.MinReplicaCount != nil {
					min = int(*so.Spec.MinReplicaCount)
				}
				if so.Spec.MaxReplicaCount != nil {
					max = int(*so.Spec.MaxReplicaCount)
				}
				return min, max
			}
		}
		n := 1
		if replicas != nil {
			n = int(*replicas)
		}
		return n, n
	}
	for _, d := range m.deployments {
		idle, peak := bounds("Deployment", d.Namespace, d.Name, d.Spec.Replicas)
		out = append(out, workload{d.Namespace, d.Name, d.Spec.Template, idle, peak})
	}
	for _, s := range m.statefulSets {
		idle, peak := bounds("StatefulSet", s.Namespace, s.Name, s.Spec.Replicas)
		out = append(out, workload{s.Namespace, s.Name, s.Spec.Template, idle, peak})
	}
	for _, j := range m.jobs {
		peak := 1
		if j.Spec.Parallelism != nil {
			peak = int(*j.Spec.Parallelism)
		}
		out = append(out, workload{j.Namespace, j.Name, j.Spec.Template, 0, peak})
	}
	for _, cm := range m.configMaps {
		agents, err := jenkinsAgents(cm)
		if err != nil {
			return nil, fmt.Errorf("ConfigMap %s/%s: %w", cm.Namespace, cm.Name, err)
		}
		out = append(out, agents...)
	}
	return out, nil
}

// jenkinsAgents reads the pod templates of the Kubernetes clouds of a JCasC ConfigMap
// (the Jenkins Kubernetes plugin's `templates[].yaml`, `instanceCap`, `containerCapStr`).
func jenkinsAgents(cm *corev1.ConfigMap) ([]workload, error) {
	keys := make([]string, 0, len(cm.Data))
	for key := range cm.Data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var out []workload
	for _, key := range keys {
		text := cm.Data[key]
		if !strings.Contains(text, "clouds:") || !strings.Contains(text, "templates:") {
			continue
		}
		var casc struct {
			Jenkins struct {
				Clouds []struct {
					Kubernetes *struct {
						Namespace       string `json:"namespace"`
						ContainerCapStr string `json:"containerCapStr"`
						ContainerCap    *int   `json:"containerCap"`
						Templates       []struct {
							Name        string `json:"name"`
							Namespace   string `json:"namespace"`
							InstanceCap *int   `json:"instanceCap"`
							YAML        string `json:"yaml"`
						} `json:"templates"`
					} `json:"kubernetes"`
				} `json:"clouds"`
			} `json:"jenkins"`
		}
		if err := yaml.Unmarshal([]byte(text), &casc); err != nil {
			continue
		}
		for _, cloud := range casc.Jenkins.Clouds {
			k := cloud.Kubernetes
			if k == nil {
				continue
			}
			// The cloud's cap bounds its templates together (the plugin counts every agent of the
			// cloud against it): where the templates' own caps add up to more, it is shared among
			// them evenly, earlier templates taking the remainder, as packages/karpenter-validate/src/validation/embedded.ts
			// plans it (which template builds ask for is not knowable offline).
			cloudCap := 0
			if capStr, err := strconv.Atoi(k.ContainerCapStr); err == nil && capStr > 0 {
				cloudCap = capStr
			} else if k.ContainerCap != nil && *k.ContainerCap > 0 {
				cloudCap = *k.ContainerCap
			}
			caps := make([]int, len(k.Templates))
			sum := 0
			for i, t := range k.Templates {
				switch {
				case t.InstanceCap != nil && *t.InstanceCap > 0:
					caps[i] = *t.InstanceCap
				case cloudCap > 0:
					caps[i] = cloudCap
				default:
					caps[i] = 1
				}
				sum += caps[i]
			}
			if cloudCap > 0 && sum > cloudCap {
				for i := range caps {
					share := cloudCap / len(caps)
					if i < cloudCap%len(caps) {
						share++
					}
					caps[i] = min(caps[i], share)
				}
			}
			for i, t := range k.Templates {
				if t.YAML == "" {
					continue
				}
				var pod corev1.Pod
				if err := yaml.Unmarshal([]byte(t.YAML), &pod); err != nil {
					return nil, fmt.Errorf("data[%q] template %q: %w", key, t.Name, err)
				}
				namespace := firstNonEmpty(t.Namespace, k.Namespace, cm.Namespace)
				name := firstNonEmpty(t.Name, pod.Name)
				out = append(out, workload{namespace, name, corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec}, 0, caps[i]})
			}
		}
	}
	return out, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// podUID names the i-th pod of a workload. Karpenter orders pods of equal CPU and memory by creation
// time, then UID (scheduling/queue.go byCPUAndMemoryDescending): lib/plan/capacity.ts orders by the same UID.
func podUID(namespace, name string, i int) types.UID {
	return types.UID(fmt.Sprintf("%s/%s/%03d", namespace, name, i))
}

// pods are a workload's first n pods, as its controller creates them and the API server stores
// them: a limit without a request becomes the request, which Karpenter's own PodForDaemonSet does
// for the pods it builds from a template (sigs.k8s.io/karpenter pkg/utils/daemonset).
func (w workload) pods(n int) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range n {
		pod := daemonset.PodForDaemonSet(&appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: w.template}})
		pod.ObjectMeta = metav1.ObjectMeta{
			Name:        fmt.Sprintf("%s-%d", w.name, i),
			Namespace:   w.namespace,
			UID:         podUID(w.namespace, w.name, i),
			Labels:      w.template.Labels,
			Annotations: w.template.Annotations,
		}
		pod.Status.Phase = corev1.PodPending
		out = append(out, pod)
	}
	return out
}

// daemonSetPods are the pods Karpenter sizes every node for: the environment's DaemonSets and EKS's
// own, each as the provisioner builds it (provisioning/provisioner.go getDaemonSetPods).
func daemonSetPods(m *manifests) ([]*corev1.Pod, error) {
	docs, err := splitDocuments(eksDaemonSetsYAML)
	if err != nil {
		return nil, fmt.Errorf("eks/daemonsets.yaml: %w", err)
	}
	eks := &manifests{}
	for _, doc := range docs {
		if err := eks.add(doc); err != nil {
			return nil, fmt.Errorf("eks/daemonsets.yaml: %w", err)
		}
	}
	var pods []*corev1.Pod
	for _, ds := range append(eks.daemonSets, m.daemonSets...) {
		pod := daemonset.PodForDaemonSet(ds)
		if a := ds.Spec.Template.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			if pod.Spec.Affinity == nil {
				pod.Spec.Affinity = &corev1.Affinity{}
			}
			if pod.Spec.Affinity.NodeAffinity == nil {
				pod.Spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
			}
			pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
		pods = append(pods, pod)
	}
	return pods, nil
}
