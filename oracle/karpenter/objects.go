package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/awslabs/operatorpkg/object"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/util/yaml"
	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"

	awsapis "github.com/aws/karpenter-provider-aws/pkg/apis"
	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
)

// manifests are the objects of one rendered environment that Karpenter's scheduling reads.
type manifests struct {
	nodePools     []*karpv1.NodePool
	nodeClasses   []*v1.EC2NodeClass
	deployments   []*appsv1.Deployment
	statefulSets  []*appsv1.StatefulSet
	jobs          []*batchv1.Job
	daemonSets    []*appsv1.DaemonSet
	configMaps    []*corev1.ConfigMap
	hpas          []*autoscalingv2.HorizontalPodAutoscaler
	scaledObjects []scaledObject
}

// scaledObject is what the oracle reads of a KEDA ScaledObject: its target and replica bounds.
type scaledObject struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		ScaleTargetRef struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		MaxReplicaCount *int32 `json:"maxReplicaCount"`
	} `json:"spec"`
}

// readFolder reads every YAML file of a folder (not its subfolders), in name order.
func readFolder(dir string) (*manifests, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, entry := range entries {
		if !entry.IsDir() && (strings.HasSuffix(entry.Name(), ".yaml") || strings.HasSuffix(entry.Name(), ".yml")) {
			names = append(names, entry.Name())
		}
	}
	sort.Strings(names)
	m := &manifests{}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		docs, err := splitDocuments(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i, doc := range docs {
			if err := m.add(doc); err != nil {
				return nil, fmt.Errorf("%s document %d: %w", name, i+1, err)
			}
		}
	}
	return m, nil
}

// splitDocuments decodes a multi-document YAML stream into JSON documents, skipping empty ones.
func splitDocuments(data []byte) ([]json.RawMessage, error) {
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var docs []json.RawMessage
	for {
		var doc json.RawMessage
		if err := decoder.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		if len(doc) > 0 && string(doc) != "null" {
			docs = append(docs, doc)
		}
	}
}

func (m *manifests) add(doc json.RawMessage) error {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		return err
	}
	decode := func(into any) error { return json.Unmarshal(doc, into) }
	switch head.APIVersion + "/" + head.Kind {
	case "karpenter.sh/v1/NodePool":
		np, err := storedNodePool(doc)
		if err != nil {
			return err
		}
		m.nodePools = append(m.nodePools, np)
	case "karpenter.k8s.aws/v1/EC2NodeClass":
		nc, err := storedNodeClass(doc)
		if err != nil {
			return err
		}
		m.nodeClasses = append(m.nodeClasses, nc)
	case "apps/v1/Deployment":
		o := &appsv1.Deployment{}
		m.deployments = append(m.deployments, o)
		return decode(o)
	case "apps/v1/StatefulSet":
		o := &appsv1.StatefulSet{}
		m.statefulSets = append(m.statefulSets, o)
		return decode(o)
	case "batch/v1/Job":
		o := &batchv1.Job{}
		m.jobs = append(m.jobs, o)
		return decode(o)
	case "apps/v1/DaemonSet":
		o := &appsv1.DaemonSet{}
		m.daemonSets = append(m.daemonSets, o)
		return decode(o)
	case "v1/ConfigMap":
		o := &corev1.ConfigMap{}
		m.configMaps = append(m.configMaps, o)
		return decode(o)
	case "autoscaling/v2/HorizontalPodAutoscaler":
		o := &autoscalingv2.HorizontalPodAutoscaler{}
		m.hpas = append(m.hpas, o)
		return decode(o)
	case "keda.sh/v1alpha1/ScaledObject":
		o := scaledObject{}
		if err := decode(&o); err != nil {
			return err
		}
		m.scaledObjects = append(m.scaledObjects, o)
	}
	return nil
}

// The API server stores custom resources pruned to their CRD's schema and with its structural
// defaults applied, and serves what it stored the same way (an object stored under an older CRD
// is pruned and defaulted by the current one when read): Karpenter hashes and schedules what is
// served. The CRDs are the ones the modules embed, so each release's binary uses its own.
var (
	nodePoolSchema  = structuralOf(awsapis.NodePoolCRD)
	nodeClassSchema = structuralOf(awsapis.EC2NodeClassCRD)
	nodeClaimSchema = structuralOf(awsapis.NodeClaimCRD)
)

func structuralOf(crdYAML []byte) *structuralschema.Structural {
	crd := object.Unmarshal[apiextensionsv1.CustomResourceDefinition](crdYAML)
	for _, version := range crd.Spec.Versions {
		if version.Name != "v1" {
			continue
		}
		internal := &apiextensions.JSONSchemaProps{}
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(version.Schema.OpenAPIV3Schema, internal, nil); err != nil {
			panic(fmt.Sprintf("converting the %s schema: %s", crd.Name, err))
		}
		structural, err := structuralschema.NewStructural(internal)
		if err != nil {
			panic(fmt.Sprintf("the %s schema is not structural: %s", crd.Name, err))
		}
		return structural
	}
	panic(fmt.Sprintf("CRD %s has no v1", crd.Name))
}

// stored decodes a custom resource as the API server stores and serves it
// (k8s.io/apiextensions-apiserver pkg/apiserver/customresource_handler.go
// unstructuredSchemaCoercer.apply, then the structural defaulter): fields its CRD does not know
// pruned, nulls without a default dropped, its defaults applied.
func stored(doc json.RawMessage, schema *structuralschema.Structural, into any) error {
	var raw map[string]any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return err
	}
	structuralpruning.Prune(raw, schema, true)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(raw, schema)
	structuraldefaulting.Default(raw, schema)
	data, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

func storedNodePool(doc json.RawMessage) (*karpv1.NodePool, error) {
	np := &karpv1.NodePool{}
	return np, stored(doc, nodePoolSchema, np)
}

func storedNodeClass(doc json.RawMessage) (*v1.EC2NodeClass, error) {
	nc := &v1.EC2NodeClass{}
	return nc, stored(doc, nodeClassSchema, nc)
}

func storedNodeClaim(doc json.RawMessage) (*karpv1.NodeClaim, error) {
	nc := &karpv1.NodeClaim{}
	return nc, stored(doc, nodeClaimSchema, nc)
}
